"""A manager's reminders: who is reminded now and who was reminded in the last day.

Each (assignment cycle) keeps one "manager" Reminder row whose sent_at is the latest
manager's reminder. A learner reminded in the last day (by a manager, or by the
due-date reminder) is skipped. The rows are claimed in SQL (an UPDATE of old rows and
an INSERT of missing ones that ignores a conflict), so two managers pressing at once
never both remind one person; the task then sends the claimed reminders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, exists, func, literal, select, update

from ..extensions import db
from ..models import User, UTCDateTime, utcnow
from ..reminders import Reminder
from .queries import not_completed

KIND = "manager"
#: a learner reminded this recently is not reminded again
QUIET = timedelta(hours=24)


@dataclass(frozen=True)
class Outcome:
    claimed: list[int]  #: assignment ids to remind now
    skipped: int  #: reminded in the last day
    without_email: int  #: not completed, but the person has no email


def claim(manager: User, course_id: str, person_id: int | None, direct_only: bool) -> Outcome:
    """Claim the reminders in the session's transaction (the caller commits)."""
    now = utcnow()
    pending = not_completed(manager, course_id, person_id, direct_only).subquery()
    total, with_email = db.session.execute(select(func.count(), func.count(pending.c.email))).one()
    recent = exists().where(
        Reminder.assignment_id == pending.c.assignment_id,
        Reminder.kind.in_((KIND, "due_soon")),
        Reminder.sent_at > now - QUIET,
    )
    due = and_(pending.c.email.is_not(None), ~recent)
    updated = db.session.scalars(
        update(Reminder)
        .where(
            Reminder.kind == KIND,
            Reminder.sent_at <= now - QUIET,  # checked again on the row itself: a concurrent claim wins once
            Reminder.assignment_id.in_(select(pending.c.assignment_id).where(due)),
        )
        .values(sent_at=now)
        .returning(Reminder.assignment_id)
    ).all()
    never = ~exists().where(Reminder.assignment_id == pending.c.assignment_id, Reminder.kind == KIND)
    rows = select(pending.c.assignment_id, literal(KIND), literal(now, UTCDateTime())).where(due, never)
    inserted = db.session.scalars(
        _insert()
        .from_select(["assignment_id", "kind", "sent_at"], rows)
        .on_conflict_do_nothing()
        .returning(Reminder.assignment_id)
    ).all()
    claimed = [*updated, *inserted]
    return Outcome(claimed=claimed, skipped=with_email - len(claimed), without_email=total - with_email)


def _insert():
    """INSERT ... ON CONFLICT DO NOTHING, which each dialect spells with its own insert()."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(Reminder)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(Reminder)
