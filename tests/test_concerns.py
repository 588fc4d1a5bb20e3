"""Anonymous intake, receipt codes, case handling, encryption at rest, rate limits."""

import logging
import re

import pytest
from sqlalchemy import select, text

from elearn.concerns.crypto import ConcernCipher, new_key
from elearn.concerns.models import CaseEvent, Concern, ConcernMessage
from elearn.concerns.receipts import parse_receipt
from elearn.extensions import db
from elearn.models import AuditLog

from .concern_helpers import file_report, look_up, receipt_code
from .conftest import Auth, csrf_token, make_app, wipe

SECRET_TEXT = "The agency keeps our passports and we owe recruitment fees."


def test_anonymous_report_stores_nothing_identifying(app, client, make_user, caplog):
    make_user(employee_id="reporter", hr_locale="en")
    Auth(client).login("reporter")
    caplog.set_level(logging.DEBUG)
    headers = {"User-Agent": "DistinctAgent/9.9", "X-Forwarded-For": "203.0.113.77"}
    page = client.get("/concerns/report")
    response = client.post(
        "/concerns/report",
        headers=headers,
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "category": "forced_labour",
            "country": "AE",
            "site": "",
            "description": SECRET_TEXT,
            "anonymous": "y",
            "language": "ar",
        },
    )
    assert response.status_code == 200
    code = receipt_code(response)
    with app.app_context():
        row = db.session.execute(text("SELECT * FROM concerns")).mappings().one()
        values = " ".join(str(v) for v in row.values())
        for identifying in ("198.51.100.23", "203.0.113.77", "DistinctAgent", "reporter", "Test Person"):
            assert identifying not in values
        assert row["contact_enc"] is None and row["anonymous"] in (True, 1)
        assert set(row.keys()) == {
            "id",
            "public_id",
            "secret_hash",
            "category",
            "country",
            "language",
            "anonymous",
            "body_enc",
            "site_enc",
            "contact_enc",
            "status",
            "created_at",
            "updated_at",
            "closed_at",
            "supplier_site_id",  # the supplier site a report was sent from, never the person (None here)
            "group_id",
            "assignee_id",
            "acknowledged_at",
            "feedback_at",
            "due_at",
            "reporter_access_until",
        }
        # the reporter's acts are stored by the day: an exact time can tell a shift
        assert all(" 00:00:00" in str(row[column]) for column in ("created_at", "updated_at"))
        assert row["supplier_site_id"] is None
        assert db.session.scalar(select(AuditLog.id)) is None
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for identifying in ("198.51.100.23", "203.0.113.77", "DistinctAgent", code.split("-")[2]):
        assert identifying not in logged


def test_report_text_is_encrypted_at_rest(app, client):
    file_report(client, description=SECRET_TEXT, contact="", site="Jebel Ali")
    with app.app_context():
        raw = db.session.execute(text("SELECT body_enc, site_enc FROM concerns")).one()
        assert "passports" not in raw[0] and "Jebel" not in raw[1]
        assert raw[0].startswith("gAAAAA")  # a Fernet token


def test_receipt_has_id_and_80_plus_bit_secret(app, client):
    code = receipt_code(file_report(client))
    public_id, secret = parse_receipt(code)
    assert len(secret) * 5 >= 80
    with app.app_context():
        row = db.session.scalars(select(Concern)).one()
        assert row.public_id == public_id and secret not in row.secret_hash


def test_status_page_shows_answer_and_same_answer_for_unknown_and_wrong(app, client):
    code = receipt_code(file_report(client))
    ok = look_up(client, code.lower().replace("-", " "))
    assert ok.status_code == 200 and "case-status" in ok.get_data(as_text=True)
    public_id, secret = parse_receipt(code)
    wrong_secret = public_id + ("A" if secret[0] != "A" else "B") + secret[1:]
    unknown = "ZZZZZZZZ" + secret
    answers = [look_up(client, c) for c in (wrong_secret, unknown, "nonsense")]
    assert {r.status_code for r in answers} == {404}
    import re

    bodies = {re.sub(r'name="csrf_token"[^>]*>', "", r.get_data(as_text=True).split("<main")[1]) for r in answers}
    assert len(bodies) == 1


def test_contact_with_anonymous_is_refused_and_changes_nothing(app, client):
    response = file_report(client, headers={"Accept-Language": "es"}, contact="+971 50 000 0000")
    assert response.status_code == 400
    assert 'lang="es"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Concern.id)) is None


def test_named_report_keeps_contact_encrypted(app, client):
    file_report(client, anonymous=None, contact="+971 50 123 4567")
    with app.app_context():
        row = db.session.scalars(select(Concern)).one()
        assert row.anonymous is False and "4567" not in row.contact_enc
        assert app.extensions["elearn_concern_cipher"].decrypt(row.contact_enc) == "+971 50 123 4567"


@pytest.mark.parametrize("field,size", [("description", 10001), ("site", 201), ("contact", 301)])
def test_every_field_has_a_length_limit(app, client, field, size):
    response = file_report(client, anonymous=None, **{field: "x" * size})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Concern.id)) is None


def test_unknown_category_is_refused(app, client):
    assert file_report(client, category="bribery").status_code == 400


def test_missing_csrf_is_refused(app, client):
    response = client.post("/concerns/report", data={"category": "other", "description": "x"})
    assert response.status_code == 400


CASE_ROUTES = [
    ("get", "/cases"),
    ("get", "/cases/{id}"),
    ("post", "/cases/{id}/status"),
    ("post", "/cases/{id}/answer"),
    ("post", "/cases/{id}/note"),
]


@pytest.mark.parametrize("roles", [None, "learner", "learner admin"])
def test_only_case_handlers_reach_case_routes(app, client, make_user, roles):
    file_report(client)
    with app.app_context():
        case_id = db.session.scalar(select(Concern.id))
    if roles:
        make_user(employee_id="other", roles=roles, hr_locale="en")
        Auth(client).login("other")
    token = csrf_token(client.get("/concerns").get_data(as_text=True))
    for method, route in CASE_ROUTES:
        url = route.format(id=case_id)
        response = (
            client.get(url)
            if method == "get"
            else client.post(url, data={"csrf_token": token, "status": "closed", "answer-body": "x", "note-body": "x"})
        )
        expected = (302,) if roles is None else (403,)
        assert response.status_code in expected, (url, response.status_code)
        if roles is None:
            assert "/login" in response.headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(Concern)).one().status == "received"
        assert db.session.scalar(select(ConcernMessage.id)) is None


def test_case_handler_answers_reporter_sees_answer_not_note(app, client, make_user):
    code = receipt_code(file_report(client))
    handler = app.test_client()
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    Auth(handler).login("handler")
    queue = handler.get("/cases").get_data(as_text=True)
    with app.app_context():
        case_id = db.session.scalar(select(Concern.id))
    assert f"/cases/{case_id}" in queue
    page = handler.get(f"/cases/{case_id}").get_data(as_text=True)
    assert SECRET_TEXT in page
    token = csrf_token(page)
    handler.post(f"/cases/{case_id}/status", data={"csrf_token": token, "status": "under_review"})
    handler.post(f"/cases/{case_id}/answer", data={"csrf_token": token, "answer-body": "We are looking into it."})
    handler.post(f"/cases/{case_id}/note", data={"csrf_token": token, "note-body": "Call the agency auditor."})
    status = look_up(client, code).get_data(as_text=True)
    assert "We are looking into it." in status and "Call the agency auditor." not in status
    with app.app_context():
        events = [(e.action, e.detail) for e in db.session.scalars(select(CaseEvent).order_by(CaseEvent.id))]
        assert events == [("status", "received -> under_review"), ("answer", None), ("note", None)]
        assert db.session.scalar(select(AuditLog.id)) is None  # case history is not the audit log
        raw = db.session.execute(text("SELECT body_enc FROM concern_messages")).scalars().all()
        assert all("looking" not in r and "auditor" not in r for r in raw)


def test_queue_filters(app, client, make_user):
    file_report(client, category="forced_labour", country="AE", language="ar")
    file_report(client, category="wages_hours", country="US", language="en")
    handler = app.test_client()
    make_user(employee_id="handler", roles="case_handler", hr_locale="en", assign=False)
    Auth(handler).login("handler")

    def count(query):
        html = handler.get("/cases?" + query).get_data(as_text=True)
        return len(re.findall(r'href="/cases/\d', html))

    assert count("") == 2
    assert count("category=wages_hours") == 1
    assert count("country=ae") == 1
    assert count("language=ar") == 1
    assert count("older_than=7") == 0
    assert count("status=closed") == 0
    assert count("category=' OR 1=1 --") == 2  # unknown values are ignored, never interpolated


def test_rotated_key_still_opens_old_reports(database_url, tmp_path):
    old, new = new_key(), new_key()
    app = make_app(database_url, tmp_path, ELEARN_CONCERN_KEYS=old)
    try:
        client = app.test_client()
        code = receipt_code(file_report(client))
        rotated = make_app(database_url, tmp_path, ELEARN_CONCERN_KEYS=f"{new},{old}")
        with rotated.app_context():
            before = db.session.execute(text("SELECT body_enc FROM concerns")).scalar()
        result = rotated.test_cli_runner().invoke(args=["concerns", "rotate-key"])
        assert "re-encrypted 1 row" in result.output
        only_new = make_app(database_url, tmp_path, ELEARN_CONCERN_KEYS=new)
        with only_new.app_context():
            after = db.session.execute(text("SELECT body_enc FROM concerns")).scalar()
            assert after != before
            assert ConcernCipher([new]).decrypt(after) == SECRET_TEXT
        assert "case-status" in look_up(only_new.test_client(), code).get_data(as_text=True)
    finally:
        wipe(app)


def test_purge_deletes_only_old_closed_cases(app, client):
    from datetime import timedelta

    from elearn.models import utcnow

    for _ in range(3):
        file_report(client)
    with app.app_context():
        rows = db.session.scalars(select(Concern).order_by(Concern.id)).all()
        rows[0].status, rows[0].closed_at = "closed", utcnow() - timedelta(days=400)
        rows[1].status, rows[1].closed_at = "closed", utcnow() - timedelta(days=10)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["concerns", "purge", "--days", "365"])
    assert "purged 1" in result.output
    with app.app_context():
        assert len(db.session.scalars(select(Concern)).all()) == 2


def test_intake_rate_limit_says_so_in_visitor_language(database_url, tmp_path):
    app = make_app(database_url, tmp_path, ELEARN_INTAKE_LIMIT="2 per hour")
    try:
        client = app.test_client()
        headers = {"Accept-Language": "hi"}
        statuses = [file_report(client, headers=headers).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        limited = file_report(client, headers=headers)
        assert limited.status_code == 429 and 'lang="hi"' in limited.get_data(as_text=True)
        assert "Too many requests" not in limited.get_data(as_text=True)
        with app.app_context():
            assert len(db.session.scalars(select(Concern)).all()) == 2
    finally:
        wipe(app)


def test_status_lookups_are_rate_limited(database_url, tmp_path):
    app = make_app(database_url, tmp_path, ELEARN_STATUS_LIMIT="3 per hour")
    try:
        client = app.test_client()
        codes = [look_up(client, "AAAA").status_code for _ in range(4)]
        assert codes[-1] == 429 and codes[:3] == [404, 404, 404]
    finally:
        wipe(app)


def test_empty_answer_is_refused_with_message(app, client, make_user):
    file_report(client)
    handler = app.test_client()
    make_user(employee_id="handler", roles="case_handler", hr_locale="fr", assign=False)
    Auth(handler).login("handler")
    with app.app_context():
        case_id = db.session.scalar(select(Concern.id))
    token = csrf_token(handler.get(f"/cases/{case_id}").get_data(as_text=True))
    response = handler.post(f"/cases/{case_id}/answer", data={"csrf_token": token, "answer-body": "  "})
    assert response.status_code == 400 and 'id="answer-body-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(ConcernMessage.id)) is None


def test_rate_limit_storage_in_redis_is_shared_between_instances(database_url, tmp_path):
    """With ELEARN_RATELIMIT_STORAGE_URI every instance counts against the same limit,
    and Redis holds only hashed keys, never the address."""
    import redis

    store = redis.Redis(host="127.0.0.1")
    prefix = "elearn-test-ratelimit"  # the limiter keeps the first prefix it is given
    for key in store.keys(f"*{prefix}*"):
        store.delete(key)
    settings = dict(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", RATELIMIT_KEY_PREFIX=prefix, ELEARN_STATUS_LIMIT="3 per hour"
    )
    first = make_app(database_url, tmp_path, **settings)
    second = make_app(database_url, tmp_path, **settings)
    try:
        codes = [look_up(first.test_client(), "AAAA").status_code for _ in range(2)]
        codes += [look_up(second.test_client(), "AAAA").status_code for _ in range(2)]
        assert codes == [404, 404, 404, 429]
        keys = [k.decode() for k in store.keys(f"*{prefix}*")]
        assert keys and not any("127.0.0.1" in k for k in keys)
    finally:
        for key in store.keys(f"*{prefix}*"):
            store.delete(key)
        wipe(first)
