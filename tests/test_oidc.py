"""OpenID Connect sign-in against a real OpenID Provider (npm oidc-provider, tests/peers),
through HTTP on both databases: linking rules, just-in-time accounts, refusals, tampered
answers, roles from groups, sign-out, and the admin page of group roles."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
from sqlalchemy import func, select

from elearn.auth.models import SsoGroupRole
from elearn.auth.oidc import identity_key
from elearn.extensions import db
from elearn.models import Assignment, AuditLog, ExternalIdentity, User

from .conftest import Auth, csrf_token, make_app, wipe
from .peers.oidc import OidcPeer, local, oidc_peer  # noqa: F401 - the session fixture

CALLBACK = "http://127.0.0.1:5000/login/sso/callback"
ALICE = {"name": "Alice Example", "employee_id": "u1", "email": "alice@example.com", "email_verified": True}


@pytest.fixture
def app(database_url, tmp_path, oidc_peer):  # noqa: F811
    app = make_app(database_url, tmp_path, **oidc_peer.app_config())
    yield app
    wipe(app)


def start(client, next_url: str | None = None) -> str:
    """The login page's link: returns the provider's authorization URL."""
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Contoso ID" in page
    response = client.get("/login/sso", query_string={"next": next_url} if next_url is not None else None)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sso_sign_in(client, peer, login: str, next_url: str | None = None):
    return client.get(local(peer.authorize(start(client, next_url), login, CALLBACK)))


def with_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def signed_in_as(client) -> str | None:
    response = client.get("/training")
    return None if response.status_code == 302 else response.get_data(as_text=True)


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(select(func.count()).select_from(model)) for model in (User, ExternalIdentity, Assignment)
        )  # type: ignore[return-value]


def test_first_sign_in_links_by_employee_id_then_by_subject_only(app, client, oidc_peer, make_user):  # noqa: F811
    uid = make_user(employee_id="u1", name="Alice HR-Name", hr_locale="en")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    response = sso_sign_in(client, oidc_peer, "sub-alice")
    assert response.status_code == 302 and response.headers["Location"] == "/training"
    assert "Alice HR-Name" in signed_in_as(client)
    with app.app_context():
        link = db.session.scalars(select(ExternalIdentity)).one()
        assert (link.user_id, link.provider, link.subject) == (uid, identity_key(oidc_peer.issuer), "sub-alice")
    # later the claim no longer matters: the link is issuer + subject
    oidc_peer.set_accounts({"sub-alice": {**ALICE, "employee_id": "someone-else"}})
    again = app.test_client()
    assert sso_sign_in(again, oidc_peer, "sub-alice").status_code == 302
    assert "Alice HR-Name" in signed_in_as(again)


def test_email_links_only_when_an_admin_chose_it_and_the_provider_verified_it(app, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u7", email="Bea@Example.com", hr_locale="en", name="Bea")
    claims = {"name": "Bea", "email": "bea@example.com", "email_verified": True}
    oidc_peer.set_accounts({"sub-bea": claims, "sub-bea-unverified": {**claims, "email_verified": False}})
    before = counts(app)
    assert sso_sign_in(app.test_client(), oidc_peer, "sub-bea").status_code == 403  # setting off
    app.config["ELEARN_OIDC_LINK_BY_VERIFIED_EMAIL"] = True
    refused = sso_sign_in(app.test_client(), oidc_peer, "sub-bea-unverified")
    assert refused.status_code == 403 and "not set up here" in refused.get_data(as_text=True)
    assert counts(app) == before
    client = app.test_client()
    assert sso_sign_in(client, oidc_peer, "sub-bea").status_code == 302
    assert "Bea" in signed_in_as(client)


def test_unknown_person_without_jit_is_told_to_ask_hr_and_nothing_is_written(app, client, oidc_peer):  # noqa: F811
    oidc_peer.set_accounts({"sub-new": {**ALICE, "employee_id": "nobody-here"}})
    before = counts(app)
    response = sso_sign_in(client, oidc_peer, "sub-new")
    assert response.status_code == 403
    assert "Ask HR or your training administrator" in response.get_data(as_text=True)
    assert counts(app) == before and signed_in_as(client) is None


def test_jit_creates_a_learner_from_the_claims_never_a_manager_link(app, client, oidc_peer):  # noqa: F811
    app.config.update(ELEARN_OIDC_JIT=True, ELEARN_OIDC_GROUPS_CLAIM="groups")
    claims = {
        "name": "Chen Wei",
        "employee_id": "E-2041",
        "email": "chen@example.com",
        "email_verified": True,
        "locale": "zh-Hant-TW",
        "country": "ae",
        "department": "Construction",
        "manager_email": "boss@example.com",
        "groups": ["admin", "case_handler"],  # group names alone give nothing
    }
    oidc_peer.set_accounts({"sub-chen": claims})
    assert sso_sign_in(client, oidc_peer, "sub-chen").status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.employee_id, user.name, user.email, user.hr_locale, user.country, user.department) == (
            "E-2041",
            "Chen Wei",
            "chen@example.com",
            "zh_Hans",
            "AE",
            "Construction",
        )
        assert user.roles == "learner" and user.manager_email is None and user.password_hash is None
        assert db.session.scalar(select(func.count()).where(Assignment.user_id == user.id)) >= 1  # audience rules
    assert "Chen Wei" in signed_in_as(client)


def test_jit_refuses_claims_without_an_employee_id(app, client, oidc_peer):  # noqa: F811
    app.config["ELEARN_OIDC_JIT"] = True
    oidc_peer.set_accounts({"sub-noid": {"name": "No Id", "country": "AE"}})
    before = counts(app)
    response = sso_sign_in(client, oidc_peer, "sub-noid")
    assert response.status_code == 403 and "employee ID" in response.get_data(as_text=True)
    assert counts(app) == before


def test_deactivated_person_is_refused_and_not_linked(app, client, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1", active=False)
    oidc_peer.set_accounts({"sub-alice": ALICE})
    before = counts(app)
    response = sso_sign_in(client, oidc_peer, "sub-alice")
    assert response.status_code == 403 and "not active" in response.get_data(as_text=True)
    assert counts(app) == before and signed_in_as(client) is None


def test_tampered_state_is_refused_and_changes_nothing(app, client, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    callback = oidc_peer.authorize(start(client), "sub-alice", CALLBACK)
    before = counts(app)
    response = client.get(local(with_param(callback, "state", "forged-state")))
    assert response.status_code == 400 and "could not be completed or verified" in response.get_data(as_text=True)
    assert counts(app) == before and signed_in_as(client) is None


def test_an_answer_meant_for_another_browser_is_refused(app, oidc_peer, make_user):  # noqa: F811
    """Login CSRF: a code and state from the attacker's own sign-in, pushed to a victim."""
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    attacker, victim = app.test_client(), app.test_client()
    start(victim)
    callback = oidc_peer.authorize(start(attacker), "sub-alice", CALLBACK)
    assert victim.get(local(callback)).status_code == 400
    assert signed_in_as(victim) is None


def test_id_token_with_another_nonce_is_refused(app, client, oidc_peer, make_user):  # noqa: F811
    """The code was issued for another request (its ID token carries that request's nonce)."""
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    authorize_url = with_param(start(client), "nonce", "nonce-of-another-request")
    response = client.get(local(oidc_peer.authorize(authorize_url, "sub-alice", CALLBACK)))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_code_issued_for_another_pkce_challenge_is_refused(app, client, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    authorize_url = with_param(start(client), "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    response = client.get(local(oidc_peer.authorize(authorize_url, "sub-alice", CALLBACK)))
    assert response.status_code == 400 and signed_in_as(client) is None


def test_answer_naming_another_issuer_is_refused(app, client, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    callback = oidc_peer.authorize(start(client), "sub-alice", CALLBACK)
    assert client.get(local(with_param(callback, "iss", "https://evil.example"))).status_code == 400
    assert signed_in_as(client) is None


def test_provider_error_and_bare_callback_get_a_clear_400(client):
    for query in ("?error=access_denied&state=x", "", "?code=x&state=y", "?code=%ff&state=%C3%A9", "?iss=&code=x"):
        response = client.get(f"/login/sso/callback{query}")
        assert response.status_code == 400, query
        assert "Back to sign-in" in response.get_data(as_text=True)
    assert client.get("/login/sso/callback?code=%00&state=x").status_code == 400  # input_guard's answer


@pytest.fixture
def late_peer(tmp_path):
    """A provider whose clock is an hour behind when it issues tokens: they have expired."""
    peer = OidcPeer(tmp_path, token_clock_offset=-3600)
    yield peer
    peer.stop()


def test_expired_id_token_is_refused(database_url, tmp_path, late_peer, make_user):
    app = make_app(database_url, tmp_path / "late", **late_peer.app_config())
    try:
        with app.app_context():
            db.session.add(User(employee_id="u1", name="Alice", roles="learner", active=True))
            db.session.commit()
        late_peer.set_accounts({"sub-alice": ALICE})
        client = app.test_client()
        response = sso_sign_in(client, late_peer, "sub-alice")
        assert response.status_code == 400 and signed_in_as(client) is None
        with app.app_context():
            assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0
    finally:
        wipe(app)


def test_next_page_is_kept_only_when_local(app, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    kept = sso_sign_in(app.test_client(), oidc_peer, "sub-alice", "/courses/demo_course")
    assert kept.headers["Location"] == "/courses/demo_course"
    dropped = sso_sign_in(app.test_client(), oidc_peer, "sub-alice", "//evil.example/x")
    assert dropped.headers["Location"] == "/training"


def test_sign_out_ends_the_provider_session_too(app, client, oidc_peer, make_user):  # noqa: F811
    make_user(employee_id="u1")
    oidc_peer.set_accounts({"sub-alice": ALICE})
    sso_sign_in(client, oidc_peer, "sub-alice")
    page = client.get("/training").get_data(as_text=True)
    # every page's CSP lets its sign-out form go on to the provider (RP-initiated logout)
    csp = client.get("/training").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_peer.issuer};" in csp
    response = client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc_peer.issuer}/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:5000/login"] and query["id_token_hint"]
    assert signed_in_as(client) is None
    # a password sign-in signs out here only
    password_client = app.test_client()
    Auth(password_client).login("u1")
    page = password_client.get("/training").get_data(as_text=True)
    assert password_client.post("/logout", data={"csrf_token": csrf_token(page)}).headers["Location"] == "/login"


def test_without_settings_there_is_no_sso(database_url, tmp_path):
    app = make_app(database_url, tmp_path)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with" not in page
    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"]
    assert client.get("/login/sso").status_code == 404
    assert client.get("/login/sso/callback?code=x&state=y").status_code == 404


def add_mapping(admin, group: str, role: str, confirm: bool = False):
    page = admin.get("/admin/sso").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "group_name": group, "role": role}
    if confirm:
        data["confirm_privileged"] = "y"
    return admin.post("/admin/sso", data=data)


def test_roles_come_from_groups_only_through_the_mapping(app, oidc_peer, admin_client, make_user):  # noqa: F811
    app.config["ELEARN_OIDC_GROUPS_CLAIM"] = "groups"
    uid = make_user(employee_id="u1")
    assert add_mapping(admin_client, "Training admins", "admin", confirm=True).status_code == 302
    oidc_peer.set_accounts({"sub-alice": {**ALICE, "groups": ["Training admins", "case_handler"]}})
    sso_sign_in(app.test_client(), oidc_peer, "sub-alice")
    with app.app_context():
        assert db.session.get(User, uid).roles == "learner admin"
    # out of the group: the mapped role goes, the rest stays
    oidc_peer.set_accounts({"sub-alice": {**ALICE, "groups": []}})
    sso_sign_in(app.test_client(), oidc_peer, "sub-alice")
    with app.app_context():
        assert db.session.get(User, uid).roles == "learner"
    # no groups claim at all (e.g. Entra ID's overage): roles are left as they are
    with app.app_context():
        db.session.get(User, uid).roles = "learner admin"
        db.session.commit()
    oidc_peer.set_accounts({"sub-alice": ALICE})
    sso_sign_in(app.test_client(), oidc_peer, "sub-alice")
    with app.app_context():
        assert db.session.get(User, uid).roles == "learner admin"


def test_group_role_page_validates_audits_and_is_for_unscoped_admins(app, admin_client, scoped_admin):
    def rows():
        with app.app_context():
            return db.session.execute(select(SsoGroupRole.group_name, SsoGroupRole.role)).all()

    def audits():
        with app.app_context():
            return db.session.scalars(select(AuditLog.action).where(AuditLog.action.like("sso_group_role.%"))).all()

    scoped = scoped_admin("region", "arab_states")
    assert scoped.get("/admin/sso").status_code == 403
    refused = add_mapping(admin_client, "Compliance team", "case_handler")  # no tick
    assert refused.status_code == 400 and "Tick this box" in refused.get_data(as_text=True)
    for group, role in (("", "learner"), ("x" * 256, "learner"), ("Tab\tgroup", "learner"), ("Team", "owner")):
        assert add_mapping(admin_client, group, role, confirm=True).status_code == 400, (group, role)
    assert rows() == [] and audits() == []
    assert add_mapping(admin_client, "  Compliance team ", "case_handler", confirm=True).status_code == 302
    assert add_mapping(admin_client, "Compliance team", "case_handler", confirm=True).status_code == 400
    assert rows() == [("Compliance team", "case_handler")] and audits() == ["sso_group_role.add"]
    with app.app_context():
        mapping_id = db.session.scalar(select(SsoGroupRole.id))
    page = admin_client.get("/admin/sso").get_data(as_text=True)
    assert "Compliance team" in page
    scoped_token = csrf_token(scoped.get("/admin/users").get_data(as_text=True))
    assert scoped.post(f"/admin/sso/{mapping_id}/delete", data={"csrf_token": scoped_token}).status_code == 403
    response = admin_client.post(f"/admin/sso/{mapping_id}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and rows() == []
    assert sorted(audits()) == ["sso_group_role.add", "sso_group_role.remove"]
    assert (
        admin_client.post(f"/admin/sso/{mapping_id}/delete", data={"csrf_token": csrf_token(page)}).status_code == 404
    )
