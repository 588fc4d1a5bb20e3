"""SAML 2.0 sign-in against a real identity provider (pysaml2's Server, tests/peers/saml_idp.py)
through HTTP on both databases: the linking and just-in-time rules shared with OpenID
Connect, and refusals of unsigned, tampered, mis-addressed, expired and replayed answers."""

from __future__ import annotations

import base64
import html
import re

import pytest
from sqlalchemy import func, select

from elearn.auth import saml
from elearn.auth.saml import SamlAssertionSeen, identity_key
from elearn.extensions import db
from elearn.models import Assignment, ExternalIdentity, User

from .conftest import csrf_token, make_app, wipe
from .peers.oidc import free_port
from .peers.saml_idp import SamlIdp

ALICE = {"employeeNumber": ["u1"], "email": ["alice@example.com"], "displayName": ["Alice Example"]}


@pytest.fixture(scope="module")
def idp(tmp_path_factory):
    return SamlIdp(tmp_path_factory.mktemp("saml"))


@pytest.fixture
def app(database_url, tmp_path, idp):
    app = make_app(
        database_url,
        tmp_path,
        ELEARN_SAML_IDP_METADATA_FILE=str(idp.metadata_file),
        ELEARN_SAML_PROVIDER_NAME="Fabrikam SAML",
    )
    idp.trust_sp(app.test_client().get("/saml/metadata").get_data(as_text=True))
    yield app
    wipe(app)


def start(client, next_url: str | None = None) -> str:
    """The login page's link: returns the IdP's URL carrying the AuthnRequest."""
    assert "Sign in with Fabrikam SAML" in client.get("/login").get_data(as_text=True)
    response = client.get("/login/saml", query_string={"next": next_url} if next_url else None)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def post(client, acs: str, fields: dict[str, str]):
    assert acs == "http://127.0.0.1:5000/saml/acs"
    # what a browser sends for the IdP's form: a cross-site POST without our CSRF token
    return client.post(
        "/saml/acs", data=fields, headers={"Origin": "http://127.0.0.1:9", "Sec-Fetch-Site": "cross-site"}
    )


def sign_in(client, idp, login: str, next_url: str | None = None, **answer):
    return post(client, *idp.respond(start(client, next_url), login, **answer))


def signed_in_as(client) -> str | None:
    response = client.get("/training")
    return None if response.status_code == 302 else response.get_data(as_text=True)


def counts(app) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (User, ExternalIdentity, Assignment)
        )


def test_metadata_names_the_acs_and_the_entity_id(client):
    response = client.get("/saml/metadata")
    assert response.status_code == 200 and response.mimetype == "application/samlmetadata+xml"
    body = response.get_data(as_text=True)
    assert 'entityID="http://127.0.0.1:5000/saml/metadata"' in body
    assert 'Location="http://127.0.0.1:5000/saml/acs"' in body
    assert 'WantAssertionsSigned="true"' in body


def test_signed_answer_links_by_employee_id_then_by_subject(app, client, idp, make_user):
    uid = make_user(employee_id="u1", name="Alice HR-Name", hr_locale="en")
    idp.users = {"alice": ALICE}
    response = sign_in(client, idp, "alice", next_url="/training")
    assert response.status_code == 302 and response.headers["Location"] == "/training"
    assert "Alice HR-Name" in signed_in_as(client)
    with app.app_context():
        link = db.session.scalars(select(ExternalIdentity)).one()
        assert (link.user_id, link.provider) == (uid, identity_key(idp.entity_id))
    # afterwards the employee number no longer matters: the link is IdP + NameID
    idp.users = {"alice": {**ALICE, "employeeNumber": ["someone-else"]}}
    again = app.test_client()
    assert sign_in(again, idp, "alice").status_code == 302
    assert "Alice HR-Name" in signed_in_as(again)


def test_unknown_person_refused_without_jit_and_nothing_changes(app, client, idp):
    idp.users = {"bob": {"employeeNumber": ["b7"], "displayName": ["Bob"]}}
    before = counts(app)
    response = sign_in(client, idp, "bob")
    assert response.status_code == 403
    assert "not set up here yet" in response.get_data(as_text=True)
    assert counts(app) == before and signed_in_as(client) is None


@pytest.fixture
def jit_app(database_url, tmp_path, idp):
    app = make_app(
        database_url,
        tmp_path,
        ELEARN_SAML_IDP_METADATA_FILE=str(idp.metadata_file),
        ELEARN_SAML_PROVIDER_NAME="Fabrikam SAML",
        ELEARN_SAML_JIT=True,
    )
    idp.trust_sp(app.test_client().get("/saml/metadata").get_data(as_text=True))
    yield app
    wipe(app)


def test_jit_creates_a_learner_with_the_shared_rules(jit_app, idp):
    client = jit_app.test_client()
    idp.users = {"bob": {"employeeNumber": ["b7"], "displayName": ["Bob Builder"], "country": ["de"]}}
    assert sign_in(client, idp, "bob").status_code == 302
    assert "Bob Builder" in signed_in_as(client)
    with jit_app.app_context():
        bob = db.session.scalars(select(User).where(User.employee_id == "b7")).one()
        assert bob.roles == "learner" and bob.password_hash is None


def test_jit_without_employee_id_is_refused(jit_app, idp):
    client = jit_app.test_client()
    idp.users = {"eve": {"displayName": ["Eve"]}}
    before = counts(jit_app)
    response = sign_in(client, idp, "eve")
    assert response.status_code == 403 and "employee ID" in response.get_data(as_text=True)
    assert counts(jit_app) == before


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param({"sign_assertion": False, "sign_response": False}, id="unsigned"),
        pytest.param({"sign_assertion": False, "sign_response": True}, id="only-response-signed"),
        pytest.param({"audience": "https://someone-else.example/sp"}, id="wrong-audience"),
        pytest.param({"lifetime_minutes": -30}, id="expired"),
    ],
)
def test_unacceptable_answers_are_refused(app, client, idp, make_user, answer):
    make_user(employee_id="u1")
    idp.users = {"alice": ALICE}
    before = counts(app)
    response = sign_in(client, idp, "alice", **answer)
    assert response.status_code == 400
    assert "could not be completed or verified" in response.get_data(as_text=True)
    assert counts(app) == before and signed_in_as(client) is None


def test_tampered_assertion_is_refused(app, client, idp, make_user):
    make_user(employee_id="u1")
    make_user(employee_id="boss", roles="admin")
    idp.users = {"alice": ALICE}
    acs, fields = idp.respond(start(client), "alice")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert ">u1<" in xml
    fields["SAMLResponse"] = base64.b64encode(xml.replace(">u1<", ">boss<").encode()).decode()
    before = counts(app)
    assert post(client, acs, fields).status_code == 400
    assert counts(app) == before and signed_in_as(client) is None


def test_replayed_answer_is_refused(app, client, idp, make_user):
    make_user(employee_id="u1")
    idp.users = {"alice": ALICE}
    acs, fields = idp.respond(start(client), "alice")
    assert post(client, acs, fields).status_code == 302
    # the same Response again: by the same browser (its request is answered), and by
    # another one with a request of its own
    assert post(client, acs, {**fields, "continued": "1"}).status_code == 400
    other = app.test_client()
    start(other)
    assert post(other, acs, fields).status_code == 400 and signed_in_as(other) is None


def test_replay_with_a_copied_session_cookie_is_refused_by_the_store(app, client, idp, make_user, caplog):
    """The session cookie from before the answer still lists its request: only the record
    of used assertion ids stops the copy (on any instance)."""
    make_user(employee_id="u1")
    idp.users = {"alice": ALICE}
    acs, fields = idp.respond(start(client), "alice")
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    copied = client.get_cookie(cookie_name).value
    assert post(client, acs, fields).status_code == 302
    thief = app.test_client()
    thief.set_cookie(cookie_name, copied)
    response = post(thief, acs, fields)
    assert response.status_code == 400 and signed_in_as(thief) is None
    assert '"reason": "replayed"' in caplog.text


def test_an_assertion_id_is_accepted_once(app):
    with app.test_request_context():
        assert saml.first_use("https://idp.example", "_a1", None)
        db.session.commit()
        assert not saml.first_use("https://idp.example", "_a1", None)
        assert saml.first_use("https://other-idp.example", "_a1", None)
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(SamlAssertionSeen)) == 2


def test_cross_site_post_without_the_session_cookie_continues_from_our_page(app, client, idp, make_user):
    """Browsers keep the SameSite=Lax session cookie from the IdP's cross-site POST: the
    app answers with a page whose form posts the answer again, with the cookie."""
    make_user(employee_id="u1", name="Alice HR-Name")
    idp.users = {"alice": ALICE}
    acs, fields = idp.respond(start(client), "alice")
    without_cookie = app.test_client()
    page = post(without_cookie, acs, fields)
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    body = page.get_data(as_text=True)
    assert 'action="/saml/acs"' in body and 'name="continued" value="1"' in body
    assert html.unescape(re.search(r'name="SAMLResponse" value="([^"]+)"', body).group(1)) == fields["SAMLResponse"]
    response = client.post("/saml/acs", data={**fields, "continued": "1"}, headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 302 and "Alice HR-Name" in signed_in_as(client)


def test_answer_without_a_request_of_this_session_is_refused(app, idp, make_user):
    make_user(employee_id="u1")
    idp.users = {"alice": ALICE}
    acs, fields = idp.respond(start(app.test_client()), "alice")
    stranger = app.test_client()
    assert post(stranger, acs, fields).status_code == 200  # the page that posts it again
    assert post(stranger, acs, {**fields, "continued": "1"}).status_code == 400
    assert signed_in_as(stranger) is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"SAMLResponse": ""},
        {"SAMLResponse": "not base64 at all <"},
        {"SAMLResponse": "x" * 300_000},
        # an entity declaration (the billion-laughs kind): pysaml2 parses with defusedxml
        {"SAMLResponse": base64.b64encode(b'<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;&a;</r>').decode()},
    ],
)
def test_garbage_is_refused_clearly(app, client, idp, body):
    start(client)
    before = counts(app)
    response = client.post("/saml/acs", data=body)
    assert response.status_code == 400 and "could not be completed" in response.get_data(as_text=True)
    assert counts(app) == before


def test_saml_pages_are_absent_when_not_configured(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    try:
        client = app.test_client()
        assert client.get("/saml/metadata").status_code == 404
        assert client.get("/login/saml").status_code == 404
        assert client.post("/saml/acs", data={"SAMLResponse": "x"}).status_code == 404
        assert "/login/saml" not in client.get("/login").get_data(as_text=True)
    finally:
        wipe(app)


def test_unreachable_idp_gives_a_clear_page_and_the_metadata_still_serves(database_url, tmp_path):
    app = make_app(database_url, tmp_path, ELEARN_SAML_IDP_METADATA_URL=f"http://127.0.0.1:{free_port()}/metadata")
    try:
        client = app.test_client()
        assert client.get("/saml/metadata").status_code == 200
        response = client.get("/login/saml")
        assert response.status_code == 502 and "cannot be reached" in response.get_data(as_text=True)
    finally:
        wipe(app)


def test_roles_follow_the_groups_attribute_through_the_shared_mapping(app, idp, admin_client, make_user):
    app.config["ELEARN_SAML_GROUPS_ATTRIBUTE"] = "groups"
    uid = make_user(employee_id="u1")
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "group_name": "Training admins", "role": "admin"}
    assert admin_client.post("/admin/sso", data={**data, "confirm_privileged": "y"}).status_code == 302
    idp.users = {"alice": {**ALICE, "groups": ["Training admins", "case_handler"]}}
    assert sign_in(app.test_client(), idp, "alice").status_code == 302
    with app.app_context():
        assert db.session.get(User, uid).roles == "learner admin"
    idp.users = {"alice": {**ALICE, "groups": ["Somewhere else"]}}
    assert sign_in(app.test_client(), idp, "alice").status_code == 302
    with app.app_context():
        assert db.session.get(User, uid).roles == "learner"
