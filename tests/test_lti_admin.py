"""Registrations of LTI platforms: the admin page (unscoped admins only) and the
`elearn lti` commands; every change audit-logged, bad values refused with nothing written."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from elearn.extensions import db
from elearn.lti.models import LtiGradeTarget, LtiRegistration
from elearn.models import AuditLog, ExternalIdentity

from .conftest import csrf_token

CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
VALUES = {
    "label": "Moodle Jakarta",
    "issuer": "https://moodle.example",
    "client_id": "abc123",
    "deployment_ids": "1\n2",
    "auth_login_url": "https://moodle.example/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example/mod/lti/token.php",
    "key_set_url": "https://moodle.example/mod/lti/certs.php",
    "key_set": "",
    "employee_id_claim": "",
}


def rows(app):
    with app.app_context():
        return [
            (r.issuer, r.client_id, r.deployment_ids, r.employee_id_claim)
            for r in db.session.scalars(select(LtiRegistration).order_by(LtiRegistration.id))
        ]


def actions(app):
    with app.app_context():
        return db.session.scalars(
            select(AuditLog.action).where(AuditLog.action.like("lti_%")).order_by(AuditLog.id)
        ).all()


def post_form(client, url, **changes):
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, data={**VALUES, **changes, "csrf_token": csrf_token(page.get_data(as_text=True))})


def test_page_shows_the_tool_urls_an_lms_admin_types(admin_client):
    html = admin_client.get("/lti/registrations").get_data(as_text=True)
    for path in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert f"<code>http://127.0.0.1:5000{path}</code>" in html
    assert "LTI 1.3" in html


def test_register_change_and_remove_are_audited(app, admin_client):
    response = post_form(admin_client, "/lti/registrations/new", employee_id_claim="employee_number")
    assert response.status_code == 302
    assert rows(app) == [("https://moodle.example", "abc123", ["1", "2"], "employee_number")]
    with app.app_context():
        reg_id = db.session.scalar(select(LtiRegistration.id))
    response = post_form(admin_client, f"/lti/registrations/{reg_id}", deployment_ids="3", employee_id_claim="")
    assert response.status_code == 302
    assert rows(app) == [("https://moodle.example", "abc123", ["3"], None)]
    with app.app_context():
        change = db.session.scalar(select(AuditLog).where(AuditLog.action == "lti_registration.change"))
        assert change.before == {"deployment_ids": ["1", "2"], "employee_id_claim": "employee_number"}
        assert change.after == {"deployment_ids": ["3"], "employee_id_claim": None}
        db.session.add(ExternalIdentity(user_id=change.actor_id, provider=f"lti:{reg_id}", subject="7"))
        db.session.commit()
    page = admin_client.get("/lti/registrations").get_data(as_text=True)
    response = admin_client.post(f"/lti/registrations/{reg_id}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302 and rows(app) == []
    with app.app_context():  # its sign-in links go with it: a later registration may get its id
        assert db.session.scalar(select(func.count()).select_from(ExternalIdentity)) == 0
    assert actions(app) == ["lti_registration.add", "lti_registration.change", "lti_registration.remove"]


def test_bad_values_are_refused_and_nothing_is_written(app, admin_client):
    for changes in (
        {"employee_id_claim": f"{CUSTOM}.employee_id"},  # course authors type custom parameters
        {"auth_login_url": "javascript:alert(1)"},
        {"deployment_ids": " \n "},
        {"key_set_url": ""},  # no key at all
        {"key_set": '{"keys": [{"kty": "RSA"}]}'},  # both, and a key without kid
        {"key_set_url": "", "key_set": "not json"},
        {"label": "a\x00b"},
    ):
        response = post_form(admin_client, "/lti/registrations/new", **changes)
        assert response.status_code == 400, changes
    assert rows(app) == [] and actions(app) == []
    assert post_form(admin_client, "/lti/registrations/new").status_code == 302
    assert post_form(admin_client, "/lti/registrations/new", label="Again").status_code == 400  # same issuer + client
    assert len(rows(app)) == 1


def test_a_pasted_key_set_replaces_the_url(app, admin_client):
    key_set = {"keys": [{"kty": "RSA", "kid": "k1", "n": "abc", "e": "AQAB"}]}
    response = post_form(admin_client, "/lti/registrations/new", key_set_url="", key_set=json.dumps(key_set))
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(LtiRegistration))
        assert row.key_set == key_set and row.key_set_url is None


def test_only_unscoped_admins_manage_registrations(app, scoped_admin, make_user, client):
    from .conftest import Auth

    scoped = scoped_admin("region", "arab_states")
    for url in ("/lti/registrations", "/lti/registrations/new"):
        assert scoped.get(url).status_code == 403
    token = csrf_token(scoped.get("/concerns").get_data(as_text=True))
    assert scoped.post("/lti/registrations/new", data={**VALUES, "csrf_token": token}).status_code == 403
    make_user(employee_id="learner", hr_locale="en")
    Auth(client).login("learner")
    assert client.get("/lti/registrations").status_code == 403
    assert rows(app) == []


def test_command_line_registers_lists_and_removes(app):
    runner = app.test_cli_runner()
    base = ["lti", "register", "--issuer", "https://canvas.instructure.com", "--client-id", "10000000000001"]
    urls = [
        "--login-url",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--token-url",
        "https://sso.canvaslms.com/login/oauth2/token",
        "--jwks-url",
        "https://sso.canvaslms.com/api/lti/security/jwks",
    ]
    refused = runner.invoke(args=[*base, "--deployment-id", "d", *urls, "--employee-id-claim", f"{CUSTOM}.eid"])
    assert refused.exit_code != 0 and rows(app) == []
    result = runner.invoke(args=[*base, "--deployment-id", "d1", "--deployment-id", "d2", *urls])
    assert result.exit_code == 0, result.output
    assert rows(app) == [("https://canvas.instructure.com", "10000000000001", ["d1", "d2"], None)]
    again = runner.invoke(args=[*base, "--deployment-id", "d1", *urls])
    assert again.exit_code != 0 and "registered already" in again.output
    listing = runner.invoke(args=["lti", "list"])
    assert "https://canvas.instructure.com\t10000000000001\td1,d2" in listing.output
    reg_id = listing.output.split("\t")[0]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LtiGradeTarget)) == 0
    assert runner.invoke(args=["lti", "remove", reg_id]).exit_code == 0
    assert runner.invoke(args=["lti", "remove", reg_id]).exit_code != 0
    assert rows(app) == []
    assert actions(app) == ["lti_registration.add", "lti_registration.remove"]
