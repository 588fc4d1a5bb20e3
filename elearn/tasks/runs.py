"""Running a task body inside the app, recording its state on its TaskRun row."""

from __future__ import annotations

from contextlib import contextmanager

from flask import current_app, has_app_context

from ..extensions import db
from ..models import utcnow
from .models import TaskRun


@contextmanager
def app_context():
    """The app the task runs in: the caller's (tests, commands), or in `elearn worker`
    the app each consumer thread entered when it started (tasks/cli.py)."""
    if not has_app_context():
        raise RuntimeError("tasks run inside `elearn worker` or an app context")
    yield current_app


def new_run(name: str, created_by: int | None = None) -> int:
    """Commits a queued run and returns its id (the row changes on other connections)."""
    run = TaskRun(name=name, created_by=created_by)
    db.session.add(run)
    db.session.commit()
    run_id = run.id
    db.session.expunge(run)
    return run_id


def update(run_id: int, **fields) -> None:
    """On its own connection and transaction, so progress shows at once and never
    commits the task's own unfinished work."""
    from sqlalchemy import update as sql_update

    with db.engine.begin() as conn:
        conn.execute(sql_update(TaskRun).where(TaskRun.id == run_id).values(updated_at=utcnow(), **fields))


@contextmanager
def tracked(run_id: int, retries_left: int):
    """Marks the run running, then done, retrying or failed (with the error text)."""
    from sqlalchemy import update as sql_update

    with db.engine.begin() as conn:
        conn.execute(
            sql_update(TaskRun)
            .where(TaskRun.id == run_id)
            .values(state="running", attempts=TaskRun.attempts + 1, updated_at=utcnow())
        )
    try:
        yield
    except Exception as exc:
        db.session.rollback()
        update(run_id, state="retrying" if retries_left > 0 else "failed", error=str(exc)[:2000])
        raise
    update(run_id, state="done", progress=100, error=None)
