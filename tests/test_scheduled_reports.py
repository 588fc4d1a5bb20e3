"""Scheduled reports (issue #17): an admin subscribes from the report page with its
filters; the hourly task emails the file (through a real SMTP server) to the subscriber
only, with their scope as it is at send time; a subscriber who is no longer an active
admin gets nothing and their subscription stops."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from elearn.admin.models import AdminScope, GeneratedFile, ReportSubscription
from elearn.admin.subscriptions import next_due, send_due_reports
from elearn.extensions import db
from elearn.models import AuditLog, User, utcnow

from .conftest import csrf_token, make_app, wipe

# fixtures: the export tests' people (four learners, two unscoped admins) and aiosmtpd's inbox
from .test_background_exports import people, sheet_rows  # noqa: F401
from .test_tasks import smtp  # noqa: F401


@pytest.fixture
def big_app(database_url, tmp_path, smtp):  # noqa: F811 - replaces the export tests' app: this one mails
    app = make_app(database_url, tmp_path, ELEARN_SMTP_HOST="127.0.0.1", ELEARN_SMTP_PORT=smtp[0])
    yield app
    wipe(app)


def in_app(app, work, *args):
    """`work` inside its own app context (a test client's requests must not share one)."""
    with app.app_context():
        return work(*args)


def with_email(app, employee_id: str) -> int:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.employee_id == employee_id))
        user.email = f"{employee_id}@example.com"
        db.session.commit()
        return user.id


def scalar(app, statement):
    with app.app_context():
        return db.session.scalar(statement)


def execute(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


def subscribe(client, **fields):
    page = client.get("/admin/reports").get_data(as_text=True)
    return client.post("/admin/subscriptions", data={"csrf_token": csrf_token(page), **fields})


def week_later() -> datetime:
    return utcnow() + timedelta(days=7, minutes=1)


def test_subscriber_gets_the_report_with_their_scope_at_send_time(big_app, people, smtp):  # noqa: F811
    _, inbox = smtp
    boss_id = with_email(big_app, "boss")
    with_email(big_app, "other")
    response = subscribe(people["boss"], frequency="weekly", format="xlsx", department="Construction")
    assert response.status_code == 302
    page = people["boss"].get("/admin/subscriptions").get_data(as_text=True)
    assert "Weekly" in page and "department=Construction" in page
    assert scalar(big_app, select(AuditLog.action).where(AuditLog.action == "report.subscribe"))
    # the scope narrows after subscribing: the report follows it
    execute(big_app, insert(AdminScope).values(admin_id=boss_id, kind="region", value="arab_states"))
    assert in_app(big_app, send_due_reports, utcnow()) == {"sent": 0, "stopped": 0}  # not due yet
    assert in_app(big_app, send_due_reports, week_later()) == {"sent": 1, "stopped": 0}
    (message,) = inbox.messages
    assert message["To"] == "boss@example.com" and message["Subject"] == "Weekly completion report"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "completions.xlsx"
    rows = sheet_rows(attachment.get_content())
    assert sorted(r[0] for r in rows[1:]) == ["ae1", "jo1"]
    assert in_app(big_app, send_due_reports, week_later()) == {"sent": 0, "stopped": 0}  # once per week


def test_csv_for_excel_subscription_attaches_the_csv(big_app, people, smtp):  # noqa: F811
    _, inbox = smtp
    with_email(big_app, "boss")
    subscribe(people["boss"], frequency="monthly", format="csv-excel", country="KE")
    assert in_app(big_app, send_due_reports, utcnow() + timedelta(days=32))["sent"] == 1
    (attachment,) = list(inbox.messages[0].iter_attachments())
    assert attachment.get_filename() == "completions-excel.csv"
    text = attachment.get_payload(decode=True).decode("utf-8-sig")
    assert [line.split(",")[0] for line in text.splitlines()] == ["Employee ID", "ke1"]


@pytest.mark.parametrize("change", [{"active": False}, {"roles": "learner"}])
def test_a_subscriber_no_longer_an_active_admin_gets_nothing_and_the_subscription_stops(
    big_app,
    people,  # noqa: F811
    smtp,  # noqa: F811
    change,
):
    _, inbox = smtp
    boss_id = with_email(big_app, "boss")
    subscribe(people["boss"], frequency="weekly", format="xlsx")
    execute(big_app, update(User).where(User.id == boss_id).values(**change))
    assert in_app(big_app, send_due_reports, week_later()) == {"sent": 0, "stopped": 1}
    assert inbox.messages == []
    assert scalar(big_app, select(ReportSubscription.active)) is False


def test_a_large_report_is_emailed_as_a_link_for_the_subscriber_only(big_app, people, smtp):  # noqa: F811
    _, inbox = smtp
    with_email(big_app, "boss")
    subscribe(people["boss"], frequency="weekly", format="xlsx")
    big_app.config["ELEARN_REPORT_ATTACH_MAX_BYTES"] = 100
    assert in_app(big_app, send_due_reports, week_later())["sent"] == 1
    (message,) = inbox.messages
    assert list(message.iter_attachments()) == []
    link = re.search(r"http://127\.0\.0\.1:5000(/admin/files/\d+)", message.get_body().get_content()).group(1)
    assert load_workbook(io.BytesIO(people["boss"].get(link).data)).active.max_row == 5
    assert people["other"].get(link).status_code == 404
    boss_id = scalar(big_app, select(User.id).where(User.employee_id == "boss"))
    assert scalar(big_app, select(GeneratedFile.owner_id)) == boss_id


def test_cancel_by_its_owner_only(big_app, people):  # noqa: F811
    with_email(big_app, "boss")
    subscribe(people["boss"], frequency="monthly", format="xlsx")
    subscription_id = scalar(big_app, select(ReportSubscription.id))
    page = people["other"].get("/admin/subscriptions").get_data(as_text=True)
    assert "No scheduled reports." in page
    url = f"/admin/subscriptions/{subscription_id}/cancel"
    assert people["other"].post(url, data={"csrf_token": csrf_token(page)}).status_code == 404
    page = people["boss"].get("/admin/subscriptions").get_data(as_text=True)
    assert people["boss"].post(url, data={"csrf_token": csrf_token(page)}).status_code == 302
    assert scalar(big_app, select(ReportSubscription.active)) is False
    assert scalar(big_app, select(AuditLog.action).where(AuditLog.action == "report.unsubscribe"))
    assert "No scheduled reports." in people["boss"].get("/admin/subscriptions").get_data(as_text=True)


def test_bad_choices_or_no_email_are_refused_and_change_nothing(big_app, people):  # noqa: F811
    subscribe(people["boss"], frequency="weekly", format="xlsx")  # boss has no email yet
    page = people["boss"].get("/admin/subscriptions").get_data(as_text=True)
    assert "no email address" in page
    with_email(big_app, "boss")
    response = subscribe(people["boss"], frequency="daily", format="xlsx")
    assert response.status_code == 302
    assert "Choose how often" in people["boss"].get("/admin/subscriptions").get_data(as_text=True)
    assert scalar(big_app, select(ReportSubscription.id)) is None


def test_learner_cannot_subscribe(big_app, people):  # noqa: F811
    page = people["ae1"].get("/training").get_data(as_text=True)
    response = people["ae1"].post("/admin/subscriptions", data={"csrf_token": csrf_token(page), "frequency": "weekly"})
    assert response.status_code == 403


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_weekly_due_dates_step_by_seven_days_and_skip_missed_ones():
    start = at("2026-01-05T09:00")
    assert next_due("weekly", start, start) == at("2026-01-12T09:00")
    assert next_due("weekly", start, at("2026-01-12T09:00")) == at("2026-01-19T09:00")
    assert next_due("weekly", start, at("2026-02-01T00:00")) == at("2026-02-02T09:00")


def test_monthly_due_dates_keep_the_day_or_take_the_months_last():
    start = at("2026-01-31T09:00")
    assert next_due("monthly", start, start) == at("2026-02-28T09:00")
    assert next_due("monthly", start, at("2026-02-28T09:00")) == at("2026-03-31T09:00")
    assert next_due("monthly", start, at("2026-12-31T10:00")) == at("2027-01-31T09:00")
    assert next_due("monthly", at("2027-12-15T00:00"), at("2027-12-15T00:00")) == at("2028-01-15T00:00")
