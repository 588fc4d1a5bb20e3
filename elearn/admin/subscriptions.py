"""Scheduled reports: an admin's weekly or monthly completion report by email.

Sent by an hourly task to the subscriber only, while they are an active admin: else the
subscription stops and nothing is sent (this check at send time covers every way of
deactivating someone: the admin form, HR imports, the full feed, SCIM). Their scope and
language are read at send time. A file over ELEARN_REPORT_ATTACH_MAX_BYTES is kept as a
GeneratedFile and the email carries its link instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import select, update

from ..branding import current_branding
from ..extensions import db
from ..i18n import choose_locale
from ..models import User, utcnow
from ..months import add_months
from ..reminders import deliver, sender
from ..tasks.queue import huey
from ..tasks.runs import app_context, new_run, tracked
from ..tasks.runs import update as update_run
from ..urls import absolute_url
from .audit import record
from .exports import FORMATS, build_report, in_language, may_export
from .generated_files import store_file
from .models import ReportSubscription

FREQUENCIES = ("weekly", "monthly")
WEEK = timedelta(days=7)


def next_due(frequency: str, start: datetime, now: datetime) -> datetime:
    """The first send after `now` of a schedule that began at `start`: every 7 days, or the
    same day of every month (anchored on `start`, so 31 January -> 28 February -> 31 March).
    Sends missed while no worker ran are not made up: one report, then the next date."""
    if frequency == "weekly":
        return start + max((now - start) // WEEK + 1, 1) * WEEK
    months = max((now.year - start.year) * 12 + now.month - start.month, 1)
    due = add_months(start, months)
    while due <= now:
        months += 1
        due = add_months(start, months)
    return due


def stop(subscription: ReportSubscription, note: str) -> None:
    subscription.active = False
    record("report.unsubscribe", f"subscription {subscription.id}", None, {"active": False}, note=note)


def report_message(admin: User, subscription: ReportSubscription, data: bytes) -> EmailMessage:
    """In the subscriber's language (call inside in_language): the file attached, or a link
    to it when it is larger than an email should carry."""
    config = current_app.config
    kind = FORMATS[subscription.format]
    message = EmailMessage()
    message["From"] = sender(config["ELEARN_MAIL_FROM"], current_branding())
    message["To"] = admin.email
    weekly = subscription.frequency == "weekly"
    message["Subject"] = _("Weekly completion report") if weekly else _("Monthly completion report")
    greeting = _("Hello %(name)s,", name=admin.shown_name)
    if len(data) <= config["ELEARN_REPORT_ATTACH_MAX_BYTES"]:
        attached = _("Your completion report is attached.")
        message.set_content(f"{greeting}\n\n{attached}\n")
        media_type, _semicolon, charset = kind.content_type.partition("; charset=")
        maintype, subtype = media_type.split("/")
        params = {"charset": charset} if charset else {}
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=kind.file_name, params=params)
        return message
    file_id = store_file(admin.id, None, kind.file_name, kind.content_type, data)
    # built on the URL map, not a request: the worker has none (ELEARN_BASE_URL is the host)
    path = current_app.url_map.bind("localhost").build("admin.download_file", {"file_id": file_id})
    body = _(
        "Your completion report is too large for an email. Download it here within %(hours)s hours: %(url)s",
        hours=config["ELEARN_EXPORT_KEEP_HOURS"],
        url=absolute_url(path),
    )
    message.set_content(f"{greeting}\n\n{body}\n")
    return message


def claim(subscription: ReportSubscription, now: datetime) -> bool:
    """Moves the due date on first, conditionally: of two workers, one sends."""
    due = next_due(subscription.frequency, subscription.created_at, now)
    claimed = db.session.execute(
        update(ReportSubscription)
        .where(
            ReportSubscription.id == subscription.id,
            ReportSubscription.next_due_at == subscription.next_due_at,
            ReportSubscription.active.is_(True),
        )
        .values(next_due_at=due, last_sent_at=now)
    )
    db.session.commit()
    return claimed.rowcount == 1  # type: ignore[attr-defined]


def send_due_reports(now: datetime | None = None) -> dict:
    """Every active subscription due by `now`: checked, claimed, built and sent."""
    config = current_app.config
    if not config["ELEARN_SMTP_HOST"]:
        return {"skipped": "ELEARN_SMTP_HOST is not set"}
    now = now or utcnow()
    due = db.session.scalars(
        select(ReportSubscription)
        .where(ReportSubscription.active.is_(True), ReportSubscription.next_due_at <= now)
        .order_by(ReportSubscription.id)
    ).all()
    sent = stopped = 0
    for subscription in due:
        admin = db.session.get(User, subscription.admin_id)
        if admin is None or not may_export(admin) or not admin.email:
            stop(subscription, "the subscriber is no longer an active admin with an email address")
            db.session.commit()
            stopped += 1
            continue
        if not claim(subscription, now):
            continue
        locale = choose_locale(admin, None, None)
        timezone = admin.timezone or config["ELEARN_DEFAULT_TIMEZONE"]
        with in_language(locale):
            data = build_report(subscription.format, admin.id, subscription.filters, locale, timezone)
            subscriber = db.session.get(User, admin.id)  # this context's own session
            assert subscriber is not None
            message = report_message(subscriber, subscription, data)
            db.session.commit()  # a linked file is kept before the email names it
        deliver([message])
        sent += 1
    return {"sent": sent, "stopped": stopped}


@huey.task(retries=2, retry_delay=300, context=True)
def send_scheduled_reports_task(run_id: int, task=None):
    with app_context(), tracked(run_id, task.retries if task else 0):
        update_run(run_id, result=send_due_reports())


@huey.periodic_task(crontab(minute="0"))
def hourly_scheduled_reports():
    with app_context():
        run_id = new_run("scheduled_reports")
    send_scheduled_reports_task(run_id)
