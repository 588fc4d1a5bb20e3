"""Single sign-on pages: the button's POST that sends the person to the identity provider,
and the callback it sends them back to. Whom the callback signs in is auth/oidc.py's rule."""

from __future__ import annotations

import requests
from flask import Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from .. import security_log
from ..extensions import db
from ..ratelimit import configured, limiter
from ..urls import absolute_url
from ..web import get_catalog, is_safe_next
from . import bp, oidc
from .kiosk import current_kiosk
from .sso_pages import problem_page, refusal_message

#: where to go after signing in, kept from the button's form until the callback
NEXT_KEY = "sso_next"


@bp.record_once
def register_provider(state) -> None:
    """Each app that registers the blueprint gets its own provider client."""
    if isinstance(state.app, Flask):
        oidc.init_app(state.app)


def _enabled_or_404() -> None:
    if not oidc.enabled(current_app):
        abort(404)


@bp.get("/login/sso")
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
def sso_start():
    """A link, not a form: the login page's CSP (form-action 'self') would stop a form's
    redirect to the provider. Starting a sign-in changes nothing but this session's state."""
    _enabled_or_404()
    if current_kiosk() is not None:  # a kiosk signs workers in with a PIN only
        return redirect(url_for("auth.kiosk_sign_in"))
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_training"))
    target = request.args.get("next", "")
    session[NEXT_KEY] = target if is_safe_next(target) else None
    try:
        return oidc.client().authorize_redirect(absolute_url(url_for("auth.sso_callback")))
    except (requests.RequestException, ValueError) as error:  # discovery failed
        security_log.event("auth.sso_unreachable", error=type(error).__name__)
        return problem_page(
            _("Sign-in is not available"),
            _(
                "%(provider)s cannot be reached just now. Please try again in a few minutes.",
                provider=oidc.provider_name(),
            ),
            502,
        )


@bp.get("/login/sso/callback")
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
def sso_callback():
    _enabled_or_404()
    unverified = _("Sign-in through %(provider)s could not be completed or verified.", provider=oidc.provider_name())
    if request.args.get("error"):  # the person cancelled, or the provider refused them
        security_log.event("auth.sso_failed", reason="provider_error")
        return problem_page(_("Sign-in did not complete"), unverified, 400)
    try:
        oidc_client = oidc.client()
        issuer = oidc_client.load_server_metadata()["issuer"]
        # RFC 9207: an answer naming another issuer was meant for another provider (mix-up)
        if request.args.get("iss", issuer) != issuer:
            raise ValueError("iss")
        # Checks state (bound to this session), exchanges the code with the PKCE verifier
        # and validates the ID token: signature (JWKS), issuer, audience, expiry, nonce.
        token = oidc_client.authorize_access_token()
        claims = token.get("userinfo")
        if not claims:
            raise ValueError("no ID token")
    except Exception as error:  # noqa: BLE001 - Authlib, joserfc and requests each raise their own
        # Any failure of the exchange or of the token's checks refuses the sign-in.
        security_log.event("auth.sso_failed", reason=type(error).__name__)
        return problem_page(_("Sign-in did not complete"), unverified, 400)
    outcome = oidc.person_for(issuer, dict(claims), get_catalog())
    if outcome.user is None:
        db.session.rollback()
        return problem_page(
            _("You cannot sign in here yet"), refusal_message(outcome.refused or "", oidc.provider_name()), 403
        )
    db.session.commit()
    target = session.pop(NEXT_KEY, None)
    login_user(outcome.user)
    oidc.remember_for_logout(session, token.get("id_token", ""))
    return redirect(target if is_safe_next(target) else url_for("courses.my_training"))
