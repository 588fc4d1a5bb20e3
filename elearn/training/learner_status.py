"""The status of a (learner, course): SPEC §3, defined once as one SQL expression.

First match wins: completed, overdue, expired, in progress, not started. Learner
pages and every report select this expression; nothing recomputes it in Python.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import Label, case, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from ..models import Assignment, Completion, ModuleProgress, QuizAttempt, utcnow


class Status(StrEnum):
    COMPLETED = "completed"
    OVERDUE = "overdue"
    EXPIRED = "expired"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


#: what each status is called wherever a person reads it: pages, the CSV for Excel, XLSX
STATUS_LABELS = {
    Status.COMPLETED: _l("Completed"),
    Status.OVERDUE: _l("Overdue"),
    Status.EXPIRED: _l("Expired: due again"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.NOT_STARTED: _l("Not started"),
}


def status_label(status: str) -> str:
    """The status's name in the interface language of this request."""
    return str(STATUS_LABELS[Status(status)])


def status_expression(
    assignment: type[Assignment] | AliasedClass[Assignment] = Assignment, now: datetime | None = None
) -> Label[str]:
    """A CASE over the (current) assignment row `assignment`; correlates to it."""
    now = now or utcnow()
    a = assignment
    # Aliases keep the subqueries self-contained when the outer query also joins these tables.
    c, p, q = aliased(Completion), aliased(ModuleProgress), aliased(QuizAttempt)
    valid_completion = (
        select(c.id).where(c.assignment_id == a.id, or_(c.expires_at.is_(None), c.expires_at > now)).exists()
    )
    earlier_completion_expired = (
        select(c.id).where(c.user_id == a.user_id, c.course_id == a.course_id, c.expires_at <= now).exists()
    )
    activity = or_(
        select(p.id).where(p.assignment_id == a.id).exists(), select(q.id).where(q.assignment_id == a.id).exists()
    )
    return case(
        (valid_completion, Status.COMPLETED.value),
        (a.due_at < now, Status.OVERDUE.value),
        (earlier_completion_expired, Status.EXPIRED.value),
        (activity, Status.IN_PROGRESS.value),
        else_=Status.NOT_STARTED.value,
    ).label("status")
