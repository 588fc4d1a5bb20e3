"""The HR JSON API: token auth (hashed, revocable), cursor pagination, status rule."""

import re

import pytest
from sqlalchemy import select

from elearn.api.models import ApiToken
from elearn.extensions import db
from elearn.models import Assignment, AuditLog

from .conftest import Auth, csrf_token
from .helpers import completion_of


@pytest.fixture
def admin(app, make_user):
    make_user(employee_id="boss", roles="admin", hr_locale="en", assign=False)
    client = app.test_client()
    Auth(client).login("boss")
    return client


def new_token(admin, name="HRIS"):
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    html = admin.post(
        "/admin/api-tokens", data={"csrf_token": csrf_token(page), "name": name, "scopes": "hr_read"}
    ).get_data(as_text=True)
    return re.search(r'id="new-token">([^<]+)<', html).group(1)


def complete(app, uid, code):
    with app.app_context():
        a = db.session.scalar(select(Assignment).where(Assignment.user_id == uid))
        db.session.add(completion_of(a, region="global", score=95, certificate_code=code))
        db.session.commit()


def test_token_is_shown_once_stored_hashed_and_audited(app, admin):
    token = new_token(admin)
    assert token.startswith("elk_") and len(token) > 40
    assert token not in admin.get("/admin/api-tokens").get_data(as_text=True)
    with app.app_context():
        stored = db.session.scalars(select(ApiToken.token_hash)).one()
        assert token not in stored and len(stored) == 64
        assert "api_token.create" in db.session.scalars(select(AuditLog.action)).all()


def test_completions_with_cursor_pagination(app, admin, make_user):
    token = new_token(admin)
    for i in range(5):
        complete(app, make_user(employee_id=f"e{i}", hr_locale="en"), f"CODE-{i}")
    headers = {"Authorization": f"Bearer {token}"}
    seen, cursor = [], None
    while True:
        url = "/api/v1/completions?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = app.test_client().get(url, headers=headers).get_json()
        seen += [item["employee_id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["e0", "e1", "e2", "e3", "e4"]
    item = app.test_client().get("/api/v1/completions?limit=1", headers=headers).get_json()["items"][0]
    assert item["certificate_code"] == "CODE-0" and item["completed_at"].endswith("Z") and item["score"] == 95


@pytest.mark.parametrize("query", ["limit=0", "limit=5000", "cursor=%%%", "cursor=bm9wZQ", "course=nope"])
def test_bad_parameters_get_400_json(app, admin, query):
    token = new_token(admin)
    response = app.test_client().get(f"/api/v1/completions?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


def test_user_status_uses_the_status_rule(app, admin, make_user):
    token = new_token(admin)
    uid = make_user(employee_id="s1", hr_locale="en")
    headers = {"Authorization": f"Bearer {token}"}
    body = app.test_client().get("/api/v1/users/s1/status", headers=headers).get_json()
    assert body["courses"][0]["status"] == "not_started"
    complete(app, uid, "CODE-S1")
    body = app.test_client().get("/api/v1/users/s1/status", headers=headers).get_json()
    assert body["courses"][0]["status"] == "completed" and body["courses"][0]["certificate_code"] == "CODE-S1"
    assert app.test_client().get("/api/v1/users/nobody/status", headers=headers).status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer elk_wrong", "Basic abc", "elk_x"])
def test_missing_or_wrong_token_is_401(app, admin, header):
    new_token(admin)
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/completions", headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_stops_working(app, admin):
    token = new_token(admin)
    headers = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/completions", headers=headers).status_code == 200
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    admin.post(f"/admin/api-tokens/{token_id}/revoke", data={"csrf_token": csrf_token(page)})
    assert app.test_client().get("/api/v1/completions", headers=headers).status_code == 401


def test_session_cookie_does_not_open_the_api(app, admin, make_user):
    assert admin.get("/api/v1/completions").status_code == 403
    for roles in ("learner", "case_handler"):
        make_user(employee_id=roles, roles=roles, hr_locale="en")
        client = app.test_client()
        Auth(client).login(roles)
        assert client.get("/api/v1/completions").status_code == 403
        assert client.get(f"/api/v1/users/{roles}/status").status_code == 403


def test_scoped_admin_cannot_manage_tokens_or_read_audit(app, scoped_admin):
    client = scoped_admin("department", "Warehouse")
    for path in ("/admin/api-tokens", "/admin/audit", "/admin/audit.csv"):
        assert client.get(path).status_code == 403


def test_audit_log_page_and_csv(app, admin):
    new_token(admin, name="Workday")
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "api_token.create" in html and "Workday" in html
    csv_text = admin.get("/admin/audit.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0] == "at,actor,action,target,before,after,note"
    assert "boss,api_token.create,Workday" in csv_text
    assert "Workday" not in admin.get("/admin/audit?action=user.update").get_data(as_text=True).split("<tbody>")[1]
