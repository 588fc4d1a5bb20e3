"""Admin: background report exports, their progress page and downloads; scheduled
report subscriptions."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...auth.roles import role_required
from ...extensions import db
from ...models import utcnow
from ...tasks.models import TaskRun
from ...web import current_locale, current_timezone, get_catalog
from .. import bp
from ..audit import record
from ..exports import FORMATS, export_report_job, filter_args
from ..generated_files import file_for
from ..models import ReportSubscription
from ..reports import ReportFilters
from ..subscriptions import FREQUENCIES, next_due

EXPORT_TASK = "export_report"


@bp.post("/reports/export")
@role_required("admin")
def queue_export():
    """A report too large to build within a web request: a task builds it, with the
    admin's scope as it is when the task runs."""
    from ...tasks.runs import new_run

    fmt = request.form.get("format", "")
    if fmt not in FORMATS:
        flash(_("Choose the file format: Excel (XLSX) or CSV for Excel."), "error")
        return redirect(url_for(".reports"))
    args = filter_args(ReportFilters.from_args(request.form, get_catalog()))
    run_id = new_run(EXPORT_TASK, current_user.id)
    record("report.export", fmt, None, {"task": run_id, **args})
    db.session.commit()
    export_report_job(run_id, current_user.id, fmt, args, current_locale(), current_timezone())
    return redirect(url_for(".export_run", run_id=run_id))


@bp.get("/exports/<int:run_id>")
@role_required("admin")
def export_run(run_id: int):
    """The export's progress and, once done, its download link (the requester's only)."""
    run = db.session.get(TaskRun, run_id)
    if run is None or run.name != EXPORT_TASK or run.created_by != current_user.id:
        abort(404)
    file_id = (run.result or {}).get("file")
    available = file_id is not None and file_for(file_id, current_user.id) is not None
    return render_template("admin/export_run.html", run=run, file_id=file_id if available else None)


@bp.get("/files/<int:file_id>")
@role_required("admin")
def download_file(file_id: int):
    generated = file_for(file_id, current_user.id)
    if generated is None:
        abort(404)  # another's, expired, purged or never made: one answer
    return Response(
        generated.data,
        content_type=generated.content_type,
        headers={
            "Content-Disposition": f"attachment; filename={generated.file_name}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def own_subscriptions():
    return db.session.scalars(
        select(ReportSubscription)
        .where(ReportSubscription.admin_id == current_user.id, ReportSubscription.active.is_(True))
        .order_by(ReportSubscription.id)
    ).all()


@bp.get("/subscriptions")
@role_required("admin")
def subscriptions():
    return render_template("admin/subscriptions.html", subscriptions=own_subscriptions())


@bp.post("/subscriptions")
@role_required("admin")
def subscribe():
    frequency, fmt = request.form.get("frequency", ""), request.form.get("format", "")
    if frequency not in FREQUENCIES or fmt not in FORMATS:
        flash(_("Choose how often (weekly or monthly) and the file format."), "error")
        return redirect(url_for(".subscriptions"))
    if not current_user.email:
        flash(_("Your account has no email address: scheduled reports cannot reach you."), "error")
        return redirect(url_for(".subscriptions"))
    now = utcnow()
    subscription = ReportSubscription(
        admin_id=current_user.id,
        frequency=frequency,
        format=fmt,
        filters=filter_args(ReportFilters.from_args(request.form, get_catalog())),
        created_at=now,
        next_due_at=next_due(frequency, now, now),
    )
    db.session.add(subscription)
    db.session.flush()
    after = {"frequency": frequency, "format": fmt, "filters": subscription.filters}
    record("report.subscribe", f"subscription {subscription.id}", None, after)
    db.session.commit()
    flash(_("Subscribed: the report will be emailed to you."), "info")
    return redirect(url_for(".subscriptions"))


@bp.post("/subscriptions/<int:subscription_id>/cancel")
@role_required("admin")
def cancel_subscription(subscription_id: int):
    subscription = db.session.get(ReportSubscription, subscription_id)
    if subscription is None or subscription.admin_id != current_user.id or not subscription.active:
        abort(404)
    subscription.active = False
    record("report.unsubscribe", f"subscription {subscription.id}", {"active": True}, {"active": False})
    db.session.commit()
    flash(_("The subscription is cancelled."), "info")
    return redirect(url_for(".subscriptions"))
