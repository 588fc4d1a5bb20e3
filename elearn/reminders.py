"""Reminder emails: to learners before the due date, to their manager when overdue,
each in the recipient's language. Each (assignment cycle, kind) is sent once."""

from __future__ import annotations

import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .branding import Branding, current_branding
from .catalog import Course
from .extensions import Model, db
from .i18n import choose_locale
from .models import Assignment, User, UTCDateTime, utcnow
from .training.learner_status import Status, status_expression
from .urls import base_url


class Reminder(Model):
    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("assignment_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    #: "due_soon" (learner), "overdue" (to the manager) or "manager" (a manager's reminder to
    #: the learner, elearn/team: one row per cycle, sent_at its latest)
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def locale_of(user: User | None) -> str:
    return choose_locale(user, None, None) if user is not None else "en"


def email_message(to: str, subject: str, body: str) -> EmailMessage:
    """Called in the recipient's language: the sender's name and the help line are in it."""
    branding = current_branding()
    message = EmailMessage()
    message["From"] = sender(current_app.config["ELEARN_MAIL_FROM"], branding)
    message["To"] = to
    message["Subject"] = subject
    if branding.support_contact:
        body = f"{body}\n-- \n{_('Questions about this training?')} {branding.support_contact}\n"
    message.set_content(body)
    return message


def sender(mail_from: str, branding: Branding) -> str:
    """ELEARN_MAIL_FROM with the product's (and company's) name unless it names itself."""
    name, address = parseaddr(mail_from)
    if name or not address:
        return mail_from
    name = branding.product_name
    if branding.company_name:
        name = f"{name} · {branding.company_name}"
    return formataddr((name, address))


def due_soon_message(user: User, course_title: str, due: datetime) -> EmailMessage:
    from flask_babel import format_date

    assert user.email, "only learners with an email are reminded"
    with force_locale(locale_of(user)):
        subject = _("Reminder: %(course)s is due on %(date)s", course=course_title, date=format_date(due, "long"))
        body = _(
            "Hello %(name)s,\n\nplease complete the training “%(course)s” by %(date)s.\n\nSign in here: %(url)s\n",
            name=user.shown_name,
            course=course_title,
            date=format_date(due, "long"),
            url=base_url(),
        )
        return email_message(user.email, subject, body)


def due_soon_reminder(user: User, course: Course, due: datetime) -> EmailMessage:
    """The learner's reminder of a course, its title in the learner's language (also sent
    when a manager reminds them: elearn/team)."""
    return due_soon_message(user, course.title_in(course.content_locale(locale_of(user))), due)


def overdue_message(
    manager_email: str, manager: User | None, learner: User, course_title: str, due: datetime
) -> EmailMessage:
    from flask_babel import format_date

    with force_locale(locale_of(manager)):
        subject = _("Overdue training: %(name)s", name=learner.shown_name)
        body = _(
            "Hello,\n\n%(name)s (employee ID %(employee_id)s) has not completed the training "
            "“%(course)s”, which was due on %(date)s.\n\nPlease help them find the time to complete it.\n",
            name=learner.shown_name,
            employee_id=learner.employee_id,
            course=course_title,
            date=format_date(due, "long"),
        )
        return email_message(manager_email, subject, body)


def _claim(assignment_id: int, kind: str) -> bool:
    """Record the reminder first: two workers never send the same one twice."""
    try:
        with db.session.begin_nested():
            db.session.add(Reminder(assignment_id=assignment_id, kind=kind))
        return True
    except IntegrityError:
        return False


def send_reminders(now: datetime | None = None) -> dict:
    config = current_app.config
    if not config["ELEARN_SMTP_HOST"]:
        return {"skipped": "ELEARN_SMTP_HOST is not set"}
    now = now or utcnow()
    catalog = current_app.extensions["elearn_catalog"]
    status = status_expression(Assignment, now)
    rows = db.session.execute(
        select(Assignment, User, status)
        .join(User, User.id == Assignment.user_id)
        .where(
            Assignment.current.is_(True),
            User.active.is_(True),
            Assignment.due_at.is_not(None),
            Assignment.due_at <= now + timedelta(days=config["ELEARN_REMIND_DAYS_BEFORE"]),
        )
    ).all()
    outbox = []
    for assignment, user, state in rows:
        course = catalog.courses.get(assignment.course_id)
        due = assignment.due_at  # never None: the query asks for a due date
        if course is None or due is None:
            continue
        if state == Status.OVERDUE.value and user.manager_email and _claim(assignment.id, "overdue"):
            manager = db.session.scalar(select(User).where(func.lower(User.email) == user.manager_email.lower()))
            title = course.title_in(course.content_locale(locale_of(manager)))
            outbox.append(overdue_message(user.manager_email, manager, user, title, due))
        elif (
            state in (Status.NOT_STARTED.value, Status.IN_PROGRESS.value, Status.EXPIRED.value)
            and user.email
            and _claim(assignment.id, "due_soon")
        ):
            outbox.append(due_soon_reminder(user, course, due))
    deliver(outbox)
    db.session.commit()  # the reminders are recorded only once the mail went out
    return {"sent": len(outbox)}


def deliver(outbox: list[EmailMessage]) -> None:
    """Send the messages through the configured SMTP server, on one connection."""
    if not outbox:
        return
    config = current_app.config
    with smtplib.SMTP(config["ELEARN_SMTP_HOST"], config["ELEARN_SMTP_PORT"], timeout=30) as smtp:
        if config["ELEARN_SMTP_STARTTLS"]:
            smtp.starttls()
        if config["ELEARN_SMTP_USER"]:
            smtp.login(config["ELEARN_SMTP_USER"], config["ELEARN_SMTP_PASSWORD"])
        for message in outbox:
            smtp.send_message(message)
