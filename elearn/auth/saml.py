"""Single sign-on through a SAML 2.0 identity provider (Entra ID, Okta, ADFS, Keycloak).

The protocol is pysaml2's: the SP's metadata, the AuthnRequest (HTTP-Redirect binding),
and the checks of the Response posted back (HTTP-POST binding): the IdP's signature on the
assertion (xmlsec1, against the certificate in the IdP's metadata), the audience, the
time conditions and InResponseTo against this session's outstanding request. An
assertion is accepted once: its id is kept in the database until it expires, so a copied
Response is refused on every instance. Whom it signs in is auth/federation.py's rule,
shared with OpenID Connect."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app
from flask.sansio.app import App
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string
from saml2.sigver import get_xmlsec_binary
from sqlalchemy import String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..catalog import Catalog
from ..extensions import Model, db
from ..models import UTCDateTime, utcnow
from . import federation
from .federation import Claims, Rules, SignIn

#: the session key of this session's outstanding AuthnRequests: {request id: next URL}
OUTSTANDING_KEY = "saml_outstanding"
#: at most this many sign-ins started and not finished per session (several tabs)
MAX_OUTSTANDING = 3
#: how long a used assertion id is kept when the assertion names no end of its validity
REPLAY_WINDOW = timedelta(hours=1)


class SamlAssertionSeen(Model):
    """An assertion accepted once; a second use of its id is a replay."""

    __tablename__ = "saml_assertions_seen"
    #: a digest of the IdP's entity id and the assertion's ID attribute
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: after this the assertion's own conditions refuse it: the row may go
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


def enabled(app: App) -> bool:
    config = app.config
    return bool(config.get("ELEARN_SAML_IDP_METADATA_URL") or config.get("ELEARN_SAML_IDP_METADATA_FILE"))


def provider_name() -> str:
    return current_app.config["ELEARN_SAML_PROVIDER_NAME"] or "SAML"


def sp_entity_id(app: App) -> str:
    base = app.config["ELEARN_BASE_URL"].rstrip("/")
    return app.config["ELEARN_SAML_SP_ENTITY_ID"] or f"{base}/saml/metadata"


def sp_config(app: App, with_idp: bool = True) -> SPConfig:
    """pysaml2's settings of this service provider; `with_idp` loads the IdP's metadata
    (the SP's own metadata does not need it, so it is served while the IdP is down)."""
    config = app.config
    base = config["ELEARN_BASE_URL"].rstrip("/")
    metadata: dict = {}
    if with_idp and config["ELEARN_SAML_IDP_METADATA_FILE"]:
        metadata["local"] = [config["ELEARN_SAML_IDP_METADATA_FILE"]]
    if with_idp and config["ELEARN_SAML_IDP_METADATA_URL"]:
        metadata["remote"] = [{"url": config["ELEARN_SAML_IDP_METADATA_URL"]}]
    settings: dict = {
        "entityid": sp_entity_id(app),
        "xmlsec_binary": get_xmlsec_binary(["/usr/bin", "/usr/local/bin"]),
        "http_client_timeout": 10,
        "metadata": metadata,
        "allow_unknown_attributes": True,
        # seconds of clock difference allowed with the IdP on NotBefore / NotOnOrAfter
        "accepted_time_diff": config["ELEARN_SAML_CLOCK_SKEW_SECONDS"],
        "service": {
            "sp": {
                "endpoints": {"assertion_consumer_service": [(f"{base}/saml/acs", BINDING_HTTP_POST)]},
                # the IdP must sign the assertion; a signature on the Response is checked when present
                "want_assertions_signed": True,
                "want_response_signed": False,
                "want_assertions_or_response_signed": True,
                "authn_requests_signed": bool(config["ELEARN_SAML_SP_KEY_FILE"]),
                "allow_unsolicited": False,
                "name_id_format_allow_create": True,
            }
        },
    }
    if config["ELEARN_SAML_SP_KEY_FILE"] and config["ELEARN_SAML_SP_CERT_FILE"]:
        settings["key_file"] = config["ELEARN_SAML_SP_KEY_FILE"]
        settings["cert_file"] = config["ELEARN_SAML_SP_CERT_FILE"]
    sp = SPConfig()
    sp.load(settings)
    return sp


def init_app(app: Flask) -> None:
    """A place for this app's SAML client, made at first use: the IdP's metadata URL is
    read then, not when the app starts (the IdP may be down at a deploy)."""
    if enabled(app):
        app.extensions["elearn_saml"] = {}


def client() -> Saml2Client:
    """This app's SAML client (it holds the IdP's metadata, loaded once)."""
    holder = current_app.extensions["elearn_saml"]
    if "client" not in holder:
        holder["client"] = Saml2Client(config=sp_config(current_app))
    return holder["client"]


def metadata_xml() -> str:
    text = create_metadata_string(None, config=sp_config(current_app, with_idp=False))
    return text.decode() if isinstance(text, bytes) else text


def identity_key(idp_entity_id: str) -> str:
    """ExternalIdentity.provider for an IdP: a digest (entity ids are URLs, longer than the column)."""
    return "saml:" + hashlib.sha256(idp_entity_id.encode()).hexdigest()[:40]


def authn_request(relay_state: str) -> tuple[str, str]:
    """(the request's id, the URL at the IdP that asks it to sign the person in)."""
    request_id, info = client().prepare_for_authenticate(relay_state=relay_state, binding=BINDING_HTTP_REDIRECT)
    location = dict(info["headers"])["Location"]
    return request_id, location


def verified_response(saml_response: str, outstanding: dict[str, str]):
    """pysaml2's AuthnResponse once every check passed; raises (or None) otherwise."""
    return client().parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding=outstanding)


def expiry(response) -> datetime | None:
    """When the verified assertion's conditions end (NotOnOrAfter), if it says."""
    seconds = response.not_on_or_after
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def issuer(response) -> str:
    """The IdP that signed the assertion (its certificate came from this entity's metadata)."""
    return response.assertion.issuer.text.strip()


def first_use(idp_entity_id: str, assertion_id: str, valid_until: datetime | None) -> bool:
    """Record an assertion's id; False when it was used before (a replay). The primary key
    decides, so two instances receiving the same copy at once accept only one."""
    now = utcnow()
    db.session.execute(delete(SamlAssertionSeen).where(SamlAssertionSeen.expires_at < now))
    key = hashlib.sha256(f"{idp_entity_id}\n{assertion_id}".encode()).hexdigest()
    expires = max(valid_until or now, now) + REPLAY_WINDOW
    try:
        with db.session.begin_nested():
            db.session.add(SamlAssertionSeen(key=key, expires_at=expires))
    except IntegrityError:
        return False
    return True


def _first(values: object) -> object:
    """An attribute's single value (SAML attributes are lists)."""
    if isinstance(values, list):
        return values[0] if len(values) == 1 else None
    return values


def person_for(idp_entity_id: str, name_id: str | None, attributes: dict, catalog: Catalog) -> SignIn:
    """Whom a verified assertion signs in: federation.person_for with the attributes an admin named."""
    config = current_app.config

    def attribute(setting: str) -> object:
        name = config[setting]
        return _first(attributes.get(name)) if name else None

    groups_attribute = config["ELEARN_SAML_GROUPS_ATTRIBUTE"]
    details = Claims(
        employee_id=attribute("ELEARN_SAML_EMPLOYEE_ID_ATTRIBUTE"),
        email=attribute("ELEARN_SAML_EMAIL_ATTRIBUTE"),
        # the IdP signed the assertion that states the address
        email_verified=True,
        name=attribute("ELEARN_SAML_NAME_ATTRIBUTE"),
        department=attribute("ELEARN_SAML_DEPARTMENT_ATTRIBUTE"),
        country=attribute("ELEARN_SAML_COUNTRY_ATTRIBUTE"),
        locale=attribute("ELEARN_SAML_LOCALE_ATTRIBUTE"),
        groups=attributes.get(groups_attribute) if groups_attribute else None,
    )
    rules = Rules(jit=config["ELEARN_SAML_JIT"], link_by_verified_email=config["ELEARN_SAML_LINK_BY_EMAIL"])
    return federation.person_for(identity_key(idp_entity_id), name_id, details, rules, catalog)
