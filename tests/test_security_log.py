"""Security events: one JSON object per line on "elearn.security", with the request id;
never a password, a token, a typed login of an unknown account or a reporter's text."""

import json
import logging
import os
import re
from datetime import datetime

import pytest
from flask import request
from sqlalchemy import select

from elearn.api.models import ApiToken
from elearn.extensions import db

from .concern_helpers import file_report
from .conftest import PASSWORD, Auth, csrf_token


@pytest.fixture
def events(caplog):
    """The parsed security lines. The logger does not propagate (no duplicate lines in
    the server log), so pytest's capturing handler is attached to it directly."""
    logger = logging.getLogger("elearn.security")
    logger.addHandler(caplog.handler)
    caplog.set_level(logging.DEBUG)

    def parsed(name=None):
        lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "elearn.security"]
        return [line for line in lines if name is None or line["event"] == name]

    yield parsed
    logger.removeHandler(caplog.handler)


def assert_envelope(line, request_id=None):
    assert set(line) >= {"event", "time", "request_id", "actor"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    datetime.fromisoformat(line["time"].replace("Z", "+00:00"))
    if request_id is not None:
        assert line["request_id"] == request_id


def test_sign_in_failures_log_the_reason_never_the_password_or_unknown_login(app, make_user, events):
    known = make_user(employee_id="u1", hr_locale="en")
    inactive = make_user(employee_id="gone", hr_locale="en", active=False)
    client = app.test_client()
    wrong = Auth(client).login("u1", "Wrong-Password-123")
    unknown = Auth(client).login("my-password-in-the-wrong-box", PASSWORD)
    Auth(client).login("gone", PASSWORD)
    assert wrong.status_code == unknown.status_code == 400

    failures = events("auth.sign_in_failed")
    assert [(f["reason"], f["known_account"], f.get("user_id")) for f in failures] == [
        ("bad_password", True, known),
        ("unknown_login", False, None),
        ("inactive", True, inactive),
    ]
    assert_envelope(failures[0], wrong.headers["X-Request-Id"])
    assert_envelope(failures[1], unknown.headers["X-Request-Id"])
    raw = json.dumps(failures)
    for secret in ("Wrong-Password-123", PASSWORD, "my-password-in-the-wrong-box"):
        assert secret not in raw


def test_successful_sign_in_is_logged_with_the_actor(app, make_user, events):
    uid = make_user(employee_id="u1", hr_locale="en")
    response = Auth(app.test_client()).login("u1")
    assert response.status_code == 302
    [line] = events("auth.signed_in")
    assert_envelope(line, response.headers["X-Request-Id"])
    assert line["actor"] == uid and line["endpoint"] == "auth.login"
    assert PASSWORD not in json.dumps(line)


def test_audit_records_and_api_token_use_are_logged_without_values_or_tokens(app, make_user, events):
    admin_id = make_user(employee_id="boss", roles="admin", hr_locale="en", assign=False)
    admin = app.test_client()
    Auth(admin).login("boss")
    page = admin.get("/admin/api-tokens").get_data(as_text=True)
    html = admin.post(
        "/admin/api-tokens", data={"csrf_token": csrf_token(page), "name": "HRIS", "scopes": "hr_read"}
    ).get_data(as_text=True)
    token = re.search(r'id="new-token">([^<]+)<', html).group(1)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))

    used = app.test_client().get("/api/v1/completions", headers={"Authorization": f"Bearer {token}"})
    assert used.status_code == 200
    rejected = app.test_client().get("/api/v1/completions", headers={"Authorization": "Bearer elk_not-a-real-token"})
    assert rejected.status_code == 401

    [created] = [e for e in events("audit") if e["action"] == "api_token.create"]
    assert_envelope(created)
    assert created["actor"] == admin_id and created["target"] == "HRIS" and created["fields"] == ["id", "scopes"]
    [use] = events("api.token_used")
    assert_envelope(use, used.headers["X-Request-Id"])
    assert use["token_id"] == token_id and use["endpoint"] == "api.completions"
    [bad] = events("api.token_rejected")
    assert_envelope(bad, rejected.headers["X-Request-Id"])
    raw = json.dumps(events())
    assert token not in raw and "elk_" not in raw


def test_audit_logs_the_names_of_changed_fields_not_their_values(app, make_user, events):
    from elearn.admin.audit import record

    admin_id = make_user(employee_id="boss", roles="admin", hr_locale="en", assign=False)
    with app.test_request_context("/admin/users/7"):
        record(
            "user.update",
            "u7",
            {"department": "Sourcing", "email": "old@example.com", "country": "AE"},
            {"department": "Logistics", "email": "new@example.com", "country": "AE"},
            actor_id=admin_id,
        )
        db.session.rollback()
    [line] = events("audit")
    assert line["action"] == "user.update" and line["target"] == "u7" and line["actor"] == admin_id
    assert line["fields"] == ["department", "email"]
    raw = json.dumps(line)
    for value in ("Sourcing", "Logistics", "old@example.com", "new@example.com"):
        assert value not in raw


def test_key_rotation_is_logged_with_a_count(app, events):
    file_report(app.test_client())
    result = app.test_cli_runner().invoke(args=["concerns", "rotate-key"])
    assert result.exit_code == 0, result.output
    [line] = events("concerns.keys_rotated")
    assert_envelope(line)
    assert line["rows"] == 1 and line["request_id"] is None and line["actor"] is None


SERVER_PROCESS = """
import os, sys
from elearn import create_app
config = {"TESTING": True, "SECRET_KEY": "test-secret", "ELEARN_CONTENT_DIR": sys.argv[1],
          "SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[2] + "/db.sqlite"}
create_app(config)
app = create_app(config)  # a second app in the same process, as tests and commands make
app.logger.info("Flask's own handler is attached once app.logger is used (its first error)")
app.test_client().get("/api/v1/completions", headers={"Authorization": "Bearer not-a-token"})
"""


def test_one_json_line_per_event_on_stderr(tmp_path):
    """As served: a fresh process, no logging configured but the app's own."""
    import subprocess
    import sys

    from .conftest import FIXTURE_CONTENT

    env = {**os.environ, "ELEARN_INSTANCE_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", SERVER_PROCESS, str(FIXTURE_CONTENT), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "api.token_rejected" in line]
    assert len(lines) == 1, done.stderr
    assert json.loads(lines[0])["event"] == "api.token_rejected"
    assert "not-a-token" not in done.stderr


def test_nothing_logged_during_a_concern_submission_has_the_report(app, make_user, events, caplog):
    make_user(employee_id="reporter", hr_locale="en")
    signed_in = app.test_client()
    Auth(signed_in).login("reporter")
    caplog.clear()
    description = "Our supervisor Ahmed keeps the passports in the site office safe."
    site, contact = "Dormitory block C, Jebel Ali", "+971 50 765 4321"
    responses = [
        file_report(app.test_client(), description=description, site=site),
        file_report(signed_in, description=description, site=site, anonymous=None, contact=contact),
    ]
    assert [r.status_code for r in responses] == [200, 200]
    assert all(re.fullmatch(r"[0-9a-f]{32}", r.headers["X-Request-Id"]) for r in responses)
    logged = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    for text in (description, "Ahmed", site, contact):
        assert text not in logged


@pytest.fixture
def failing_app(app):
    """Unhandled errors answered as in production (500 page), on an ordinary path and a
    concern path; the exception's message quotes what was typed."""
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError(f"could not parse {request.args.get('q')!r}")

    app.add_url_rule("/test-boom", "test_boom", boom)
    app.add_url_rule("/concerns/test-boom", "test_concern_boom", boom)
    return app


def test_unhandled_error_line_and_page_carry_the_request_id(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().get("/test-boom?q=typed-value-4711", headers={"X-Request-Id": "lb-7f3a.2"})
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] == "lb-7f3a.2"
    assert "lb-7f3a.2" in response.get_data(as_text=True)  # the reference on the error page
    [line] = [r for r in caplog.records if r.name == "elearn" and r.levelno == logging.ERROR]
    assert "request_id=lb-7f3a.2" in line.getMessage() and "/test-boom" in line.getMessage()
    assert "typed-value-4711" in caplog.text  # ordinary paths keep the message and traceback


def test_unsafe_request_id_is_replaced(app):
    response = app.test_client().get("/healthz", headers={"X-Request-Id": 'a b"<script>'})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])


def test_unhandled_error_on_a_concern_path_is_logged_without_its_message(failing_app, caplog):
    caplog.set_level(logging.INFO)
    response = failing_app.test_client().get("/concerns/test-boom?q=typed-value-4711")
    assert response.status_code == 500
    rid = response.headers["X-Request-Id"]
    [line] = [r for r in caplog.records if r.name == "elearn" and r.levelno == logging.ERROR]
    assert f"request_id={rid}" in line.getMessage() and "RuntimeError" in line.getMessage()
    assert "in boom" in line.getMessage()  # the stack is there, for the operator
    assert "typed-value-4711" not in caplog.text
