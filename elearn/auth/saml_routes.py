"""SAML 2.0 sign-in pages: the SP's metadata, the link that sends the person to the IdP with
an AuthnRequest, and the Assertion Consumer Service the IdP posts the Response to. The
checks are auth/saml.py's; whom a verified assertion signs in is auth/federation.py's rule."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from .. import same_origin, security_log
from ..extensions import csrf, db
from ..ratelimit import configured, limiter
from ..web import get_catalog, is_safe_next
from . import bp, saml
from .kiosk import current_kiosk
from .sso_pages import problem_page, refusal_message

#: a SAMLResponse larger than this is refused unread (a real one is a few kilobytes)
MAX_RESPONSE_CHARS = 200_000


@bp.record_once
def register_saml(state) -> None:
    """Each app that registers the blueprint gets its own SAML client."""
    if isinstance(state.app, Flask):
        saml.init_app(state.app)


@bp.app_template_global()
def saml_sign_in_name() -> str | None:
    """The login page's button label's provider, when SAML sign-in is on."""
    return saml.provider_name() if saml.enabled(current_app) else None


def _enabled_or_404() -> None:
    if not saml.enabled(current_app):
        abort(404)


@bp.get("/saml/metadata")
def saml_metadata():
    """The SP's metadata, at the URL that is also its entity id (give it to the IdP's admin)."""
    _enabled_or_404()
    return Response(saml.metadata_xml(), mimetype="application/samlmetadata+xml")


@bp.get("/login/saml")
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
def saml_start():
    """A link, not a form (the login page's CSP has form-action 'self'). Starting a sign-in
    changes nothing but this session's outstanding requests."""
    _enabled_or_404()
    if current_kiosk() is not None:  # a kiosk signs workers in with a PIN only
        return redirect(url_for("auth.kiosk_sign_in"))
    if current_user.is_authenticated:
        return redirect(url_for("courses.my_training"))
    target = request.args.get("next", "")
    try:
        request_id, location = saml.authn_request(relay_state="")
    except Exception as error:  # noqa: BLE001 - pysaml2 raises its own for metadata without an IdP
        security_log.event("auth.saml_unavailable", error=type(error).__name__)
        return problem_page(
            _("Sign-in is not available"),
            _(
                "%(provider)s cannot be reached just now. Please try again in a few minutes.",
                provider=saml.provider_name(),
            ),
            502,
        )
    outstanding = dict(session.get(saml.OUTSTANDING_KEY) or {})
    outstanding[request_id] = target if is_safe_next(target) else ""
    # the newest few only: a session does not collect requests without end
    session[saml.OUTSTANDING_KEY] = dict(list(outstanding.items())[-saml.MAX_OUTSTANDING :])
    return redirect(location)


@bp.post("/saml/acs")
@limiter.limit(configured("ELEARN_LOGIN_ADDRESS_LIMIT"))
@same_origin.exempt
@csrf.exempt
def saml_acs():
    """The IdP's cross-site POST: its signature on the assertion is the proof a CSRF token
    would give, and InResponseTo ties it to this session's request."""
    _enabled_or_404()
    unverified = _("Sign-in through %(provider)s could not be completed or verified.", provider=saml.provider_name())
    encoded = request.form.get("SAMLResponse", "")
    outstanding = dict(session.get(saml.OUTSTANDING_KEY) or {})
    if encoded and len(encoded) <= MAX_RESPONSE_CHARS and not outstanding and request.form.get("continued") != "1":
        # A cross-site POST carries no SameSite=Lax session cookie, so no request to match:
        # the browser posts the answer again from our own page, which sends the cookie.
        return render_template("auth/saml_continue.html", saml_response=encoded, provider=saml.provider_name())
    if not encoded or len(encoded) > MAX_RESPONSE_CHARS or not outstanding:
        reason = "no_response" if not encoded else "too_large" if len(encoded) > MAX_RESPONSE_CHARS else "no_request"
        security_log.event("auth.saml_failed", reason=reason)
        return problem_page(_("Sign-in did not complete"), unverified, 400)
    try:
        response = saml.verified_response(encoded, outstanding)
        if response is None or response.assertion is None:
            raise ValueError("no assertion")
        idp = saml.issuer(response)
        name_id = response.name_id.text if response.name_id is not None else None
        assertion_id = response.assertion.id
        valid_until = saml.expiry(response)
    except Exception as error:  # noqa: BLE001 - pysaml2 and xmlsec raise many kinds
        # Any failed check (signature, audience, time, InResponseTo, status) refuses the sign-in.
        security_log.event("auth.saml_failed", reason=type(error).__name__)
        return problem_page(_("Sign-in did not complete"), unverified, 400)
    if not saml.first_use(idp, assertion_id, valid_until):
        db.session.rollback()
        security_log.event("auth.saml_failed", reason="replayed")
        return problem_page(_("Sign-in did not complete"), unverified, 400)
    outcome = saml.person_for(idp, name_id, response.ava, get_catalog())
    if outcome.user is None:
        db.session.commit()  # the assertion stays used; nothing else was added
        return problem_page(
            _("You cannot sign in here yet"), refusal_message(outcome.refused or "", saml.provider_name()), 403
        )
    db.session.commit()
    target = outstanding.pop(response.in_response_to, "")
    session[saml.OUTSTANDING_KEY] = outstanding
    login_user(outcome.user)
    return redirect(target if is_safe_next(target) else url_for("courses.my_training"))
