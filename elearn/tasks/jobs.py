"""The task bodies: LRS forwarding, reminder emails, large user imports."""
from __future__ import annotations

from datetime import datetime

from huey import crontab

from .queue import huey
from .runs import app_context, tracked, update


@huey.task(retries=5, retry_delay=10, retry_backoff=2, context=True)
def forward_xapi(run_id: int, since_iso: str | None, task=None):
    """POST statements to the LRS; retried with exponential backoff (10 s, 20 s, 40 s...)."""
    from ..xapi.lrs import send
    from ..urls import base_url
    from ..xapi.statements import statements_since
    with app_context() as app, tracked(run_id, task.retries if task else 0):
        config = app.config
        since = datetime.fromisoformat(since_iso) if since_iso else None
        statements = statements_since(since, app.extensions["elearn_catalog"], config["ELEARN_XAPI_HOMEPAGE"],
                                      base_url())
        sent = send(statements, config["ELEARN_LRS_ENDPOINT"], config["ELEARN_LRS_USERNAME"],
                    config["ELEARN_LRS_PASSWORD"])
        update(run_id, result={"sent": sent})


@huey.task(retries=3, retry_delay=60, retry_backoff=2, context=True)
def send_reminders_task(run_id: int, task=None):
    """Recertification first (expired completions start a new cycle with a new due
    date), then the reminder emails."""
    from ..extensions import db
    from ..reminders import send_reminders
    from ..training.assignments import renew_expired_cycles
    with app_context() as app, tracked(run_id, task.retries if task else 0):
        renewed = renew_expired_cycles(app.extensions["elearn_catalog"], app.config["ELEARN_DEFAULT_DUE_DAYS"])
        db.session.commit()
        update(run_id, result={"new_cycles": renewed, **send_reminders()})


@huey.periodic_task(crontab(hour="6", minute="0"))
def daily_reminders():
    from .runs import new_run
    with app_context():
        run_id = new_run("reminders")
    send_reminders_task(run_id)


@huey.task(context=True)
def import_users_job(run_id: int, text: str, valid_only: bool, admin_id: int | None = None, task=None):
    """A large upload from the admin page, with progress on its TaskRun row. The
    importing admin's scope is read when the task runs, so a scope narrowed meanwhile
    applies."""
    from ..admin.importer import run_import
    from ..admin.scope import scope_of
    from ..extensions import db
    with app_context() as app, tracked(run_id, 0):
        from ..models import User
        admin = db.session.get(User, admin_id) if admin_id is not None else None
        if admin_id is not None and (admin is None or not admin.active or not admin.has_role("admin")):
            raise PermissionError("the admin who started this import may no longer import")

        def progress(rows):
            total = max(len(rows), 1)
            for index, row in enumerate(rows):
                if index % 500 == 0:
                    update(run_id, progress=int(index * 100 / total))
                yield row
        result = run_import(text, app.extensions["elearn_catalog"], app.config["ELEARN_DEFAULT_DUE_DAYS"],
                            valid_only=valid_only, progress=progress, grantor=scope_of(admin_id))
        if not result.applied:
            db.session.rollback()
        else:
            db.session.commit()
        update(run_id, result={"created": result.created, "updated": result.updated,
                               "unchanged": result.unchanged, "applied": result.applied,
                               "errors": [[e.row, e.code, e.value] for e in result.errors[:500]]})
