"""The reminders a manager sends, as a task (run by `elearn worker`, shown on the admin
tasks page): the learner's own reminder email, in the learner's language."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models import Assignment, User
from ..reminders import deliver, due_soon_reminder
from ..tasks.queue import huey
from ..tasks.runs import app_context, tracked, update
from ..training.learner_status import Status, status_expression

#: assignments read per query
CHUNK = 1000


@huey.task(retries=3, retry_delay=60, retry_backoff=2, context=True)
def remind_reports(run_id: int, assignment_ids: list[int], task=None):
    with app_context() as app, tracked(run_id, task.retries if task else 0):
        catalog = app.extensions["elearn_catalog"]
        rows = (
            row
            for start in range(0, len(assignment_ids), CHUNK)  # a bound parameter each: stay far below the limits
            for row in db.session.execute(
                select(Assignment, User)
                .join(User, User.id == Assignment.user_id)
                .where(Assignment.id.in_(assignment_ids[start : start + CHUNK]))
                # checked again when the task runs: a person may have finished, or a new cycle begun
                .where(Assignment.current.is_(True), status_expression() != Status.COMPLETED.value)
            )
        )
        outbox = []
        for assignment, user in rows:
            course = catalog.courses.get(assignment.course_id)
            if course is None or assignment.due_at is None or not user.email or not user.active:
                continue
            outbox.append(due_soon_reminder(user, course, assignment.due_at))
        deliver(outbox)
        update(run_id, result={"sent": len(outbox)})
