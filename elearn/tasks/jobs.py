"""The task bodies of the platform: LRS forwarding and reminder emails (an area's own
jobs live in its package, e.g. admin/jobs.py)."""

from __future__ import annotations

from datetime import datetime

from huey import crontab

from .queue import huey
from .runs import app_context, tracked, update


@huey.task(retries=5, retry_delay=10, retry_backoff=2, context=True)
def forward_xapi(run_id: int, since_iso: str | None, task=None):
    """POST statements to the LRS; retried with exponential backoff (10 s, 20 s, 40 s...)."""
    from ..urls import base_url
    from ..xapi.lrs import send
    from ..xapi.statements import statements_since

    with app_context() as app, tracked(run_id, task.retries if task else 0):
        config = app.config
        since = datetime.fromisoformat(since_iso) if since_iso else None
        statements = statements_since(
            since, app.extensions["elearn_catalog"], config["ELEARN_XAPI_HOMEPAGE"], base_url()
        )
        sent = send(
            statements, config["ELEARN_LRS_ENDPOINT"], config["ELEARN_LRS_USERNAME"], config["ELEARN_LRS_PASSWORD"]
        )
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
