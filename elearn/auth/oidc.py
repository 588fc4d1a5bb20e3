"""Single sign-on through an OpenID Connect provider (Entra ID, Okta, Google, Keycloak, ADFS).

The protocol is Authlib's (discovery, authorization code flow with PKCE, state and nonce
kept in the signed session, the ID token's signature checked against the provider's
JWKS, its issuer, audience, expiry and nonce). Whom a validated ID token signs in is
auth/federation.py's rule, shared with SAML; this module maps the ID token's claims to it:
the employee-ID and groups claims an admin named, and the email only when the provider
marks it verified (email_verified)."""

from __future__ import annotations

import hashlib

import requests
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from flask.sansio.app import App

from ..catalog import Catalog
from . import federation
from .federation import Claims, Rules, SignIn

#: the provider's name in Authlib's registry (one provider per deployment)
CLIENT = "oidc"

#: why a sign-in is refused (federation's reasons, named here for the pages)
UNKNOWN, INACTIVE = federation.UNKNOWN, federation.INACTIVE
LINKED_ELSEWHERE, BAD_CLAIMS = federation.LINKED_ELSEWHERE, federation.BAD_CLAIMS


def enabled(app: App) -> bool:
    return bool(app.config.get("ELEARN_OIDC_ISSUER") and app.config.get("ELEARN_OIDC_CLIENT_ID"))


def init_app(app: Flask) -> None:
    """Register the provider in a registry of this app's own (app.extensions)."""
    if not enabled(app):
        return
    oauth = OAuth()
    oauth.init_app(app)
    issuer = app.config["ELEARN_OIDC_ISSUER"].rstrip("/")
    oauth.register(
        CLIENT,
        client_id=app.config["ELEARN_OIDC_CLIENT_ID"],
        client_secret=app.config["ELEARN_OIDC_CLIENT_SECRET"] or None,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["ELEARN_OIDC_SCOPES"], "code_challenge_method": "S256", "timeout": 10},
    )
    app.extensions["elearn_oidc"] = oauth


def client():
    """This app's Authlib client of the provider (it caches the discovery document)."""
    return current_app.extensions["elearn_oidc"].create_client(CLIENT)


def provider_name() -> str:
    return current_app.config["ELEARN_OIDC_PROVIDER_NAME"] or "SSO"


def identity_key(issuer: str) -> str:
    """ExternalIdentity.provider for an issuer: a digest, because issuer URLs (Entra ID's
    hold the tenant id) are longer than the column, and it stays the same for ever."""
    return "oidc:" + hashlib.sha256(issuer.encode()).hexdigest()[:40]


def person_for(issuer: str, claims: dict, catalog: Catalog) -> SignIn:
    """Whom these (already validated) ID token claims sign in: federation.person_for."""
    config = current_app.config
    groups_claim = config["ELEARN_OIDC_GROUPS_CLAIM"]
    details = Claims(
        employee_id=claims.get(config["ELEARN_OIDC_EMPLOYEE_ID_CLAIM"] or ""),
        email=claims.get("email"),
        email_verified=claims.get("email_verified") is True,
        name=claims.get("name"),
        department=claims.get("department"),
        country=claims.get("country"),
        locale=claims.get("locale"),
        groups=claims.get(groups_claim) if groups_claim else None,
    )
    rules = Rules(jit=config["ELEARN_OIDC_JIT"], link_by_verified_email=config["ELEARN_OIDC_LINK_BY_VERIFIED_EMAIL"])
    return federation.person_for(identity_key(issuer), claims.get("sub"), details, rules, catalog)


#: the session key of what RP-initiated logout needs: the ID token, or "" when it was too
#: large for the session cookie (Entra ID puts up to 200 groups in it)
LOGOUT_KEY = "sso_id_token"
MAX_ID_TOKEN_IN_SESSION = 2048


def remember_for_logout(session, id_token: str) -> None:
    session[LOGOUT_KEY] = id_token if len(id_token) <= MAX_ID_TOKEN_IN_SESSION else ""


def end_session_url(id_token: str, post_logout_redirect_uri: str) -> str | None:
    """Where to send a person signing out so the provider ends its session too (RP-initiated
    logout); None when the provider offers no end_session_endpoint or cannot be reached."""
    if "elearn_oidc" not in current_app.extensions:
        return None
    try:
        oidc_client = client()
        if not oidc_client.load_server_metadata().get("end_session_endpoint"):
            return None
        return oidc_client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token or None,
            client_id=current_app.config["ELEARN_OIDC_CLIENT_ID"],
        )["url"]
    except (requests.RequestException, ValueError):
        return None  # signed out here; the provider's session ends when it ends
