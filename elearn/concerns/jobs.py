"""The grievance channel's daily tasks: deadline reminders to case handlers (emails
that hold no case content: no id, category, country or text), and the purge of closed
cases past retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import func, select

from ..extensions import db
from ..models import utcnow
from ..reminders import deliver, email_message, locale_of
from ..tasks.queue import huey
from ..tasks.runs import app_context
from ..urls import absolute_url
from .assignment import case_handlers, visible_to
from .models import Concern
from .service import purge_closed


def deadline_reminders(now: datetime | None = None) -> int:
    """One email per handler with open cases due within ELEARN_CONCERN_REMIND_DAYS_BEFORE
    days or overdue; returns how many were sent."""
    if not current_app.config["ELEARN_SMTP_HOST"]:
        return 0
    now = now or utcnow()
    horizon = now + timedelta(days=current_app.config["ELEARN_CONCERN_REMIND_DAYS_BEFORE"])
    outbox = []
    for handler in case_handlers():
        if not handler.email:
            continue
        due_soon, overdue = db.session.execute(
            select(func.count(Concern.id), func.count(Concern.id).filter(Concern.due_at < now)).where(
                visible_to(handler), Concern.due_at.is_not(None), Concern.due_at <= horizon
            )
        ).one()
        if not due_soon:
            continue
        with force_locale(locale_of(handler)):
            lines = [
                ngettext(
                    "%(num)d case in your queue has a deadline in the next few days or has passed it.",
                    "%(num)d cases in your queue have a deadline in the next few days or have passed it.",
                    due_soon,
                ),
                ngettext("%(num)d of them is overdue.", "%(num)d of them are overdue.", overdue) if overdue else "",
                _("Open the case queue: %(url)s", url=absolute_url("/cases")),
                _("This email holds no details of any case, on purpose."),
            ]
            body = "\n\n".join(line for line in lines if line)
            outbox.append(email_message(handler.email, _("Case deadlines"), body))
    deliver(outbox)
    return len(outbox)


@huey.periodic_task(crontab(hour="7", minute="0"))
def daily_case_upkeep() -> None:
    with app_context() as app:
        deadline_reminders()
        purge_closed(app.config["ELEARN_CONCERN_RETENTION_DAYS"])
