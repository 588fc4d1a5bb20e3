"""Admin: background tasks, their state and failures; start reminders or LRS forwarding."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...auth.roles import role_required
from ...extensions import db
from ...tasks.models import TaskRun
from .. import bp
from ..audit import record
from ..importer import RowError
from ..messages import rows_with_messages
from ..scope import actor_scope, require_unscoped


@bp.get("/tasks")
@role_required("admin")
def tasks():
    query = select(TaskRun)
    if not actor_scope().unscoped:
        # A scoped admin's own tasks only: others' imports name people outside their scope.
        query = query.where(TaskRun.created_by == current_user.id)
    runs = db.session.scalars(query.order_by(TaskRun.id.desc()).limit(100)).all()
    messages = {
        run.id: rows_with_messages(
            RowError(row, code, value) for row, code, value in (run.result or {}).get("errors", [])
        )
        for run in runs
        if run.name == "import_users"
    }
    return render_template(
        "admin/tasks.html", runs=runs, messages=messages, lrs=bool(current_app.config["ELEARN_LRS_ENDPOINT"])
    )


@bp.post("/tasks/<any(reminders, xapi):kind>")
@role_required("admin")
def start_task(kind: str):
    from ...tasks.jobs import forward_xapi, send_reminders_task
    from ...tasks.runs import new_run

    require_unscoped()
    if kind == "xapi" and not current_app.config["ELEARN_LRS_ENDPOINT"]:
        flash(_("No Learning Record Store is configured."), "error")
        return redirect(url_for(".tasks"))
    name = "reminders" if kind == "reminders" else "forward_xapi"
    run_id = new_run(name, current_user.id)
    record("task.start", name, None, {"run": run_id})
    db.session.commit()
    if kind == "reminders":
        send_reminders_task(run_id)
    else:
        forward_xapi(run_id, request.form.get("since") or None)
    flash(_("The task is queued."), "info")
    return redirect(url_for(".tasks"))
