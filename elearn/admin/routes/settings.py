"""Admin: API tokens for HR systems, and the audit log (view and export)."""

from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...api.models import SCOPES, ApiToken
from ...auth.roles import role_required
from ...extensions import db
from ...models import AuditLog, User, utcnow
from ...paging import PAGE_SIZE, page_number
from .. import bp
from ..audit import record
from ..cells import safe_cell
from ..scope import require_unscoped


@bp.route("/api-tokens", methods=["GET", "POST"])
@role_required("admin")
def api_tokens():
    from ...api.tokens import create_token

    require_unscoped()
    new_token = None
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:120]
        scopes = tuple(request.form.getlist("scopes"))
        if not name:
            flash(_("Give the token a name, such as the HR system that will use it."), "error")
        elif not scopes or any(scope not in SCOPES for scope in scopes):
            flash(_("Choose what the token may do."), "error")
        else:
            row, new_token = create_token(name, current_user.id, scopes)
            record("api_token.create", name, None, {"id": row.id, "scopes": row.scopes})
            db.session.commit()
    tokens = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/api_tokens.html", tokens=tokens, new_token=new_token)


@bp.post("/api-tokens/<int:token_id>/revoke")
@role_required("admin")
def revoke_api_token(token_id: int):
    require_unscoped()
    token = db.session.get(ApiToken, token_id)
    if token is None:
        abort(404)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record("api_token.revoke", token.name, None, {"id": token.id})
        db.session.commit()
        flash(_("The token is revoked."), "info")
    return redirect(url_for(".api_tokens"))


def _audit_query():
    # the actor's employee id comes with each entry: a many-to-one joined load, in one query
    query = select(AuditLog).options(joinedload(AuditLog.actor).load_only(User.employee_id))
    action = (request.args.get("action") or "").strip()[:64]
    if action:
        query = query.where(AuditLog.action == action)
    return query.order_by(AuditLog.id.desc())


@bp.get("/audit")
@role_required("admin")
def audit_log():
    require_unscoped()
    pagination = db.paginate(_audit_query(), page=page_number(), per_page=PAGE_SIZE, error_out=False)
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render_template("admin/audit.html", pagination=pagination, args=request.args, actions=actions)


@bp.get("/audit.csv")
@role_required("admin")
def audit_csv():
    require_unscoped()
    statement = _audit_query().execution_options(yield_per=2000)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["at", "actor", "action", "target", "before", "after", "note"])
        for chunk in db.session.scalars(statement).partitions():
            for entry in chunk:
                writer.writerow(
                    [entry.at.isoformat()]
                    + [
                        safe_cell(text)
                        for text in (
                            entry.actor and entry.actor.employee_id,
                            entry.action,
                            entry.target,
                            json.dumps(entry.before, ensure_ascii=False) if entry.before else "",
                            json.dumps(entry.after, ensure_ascii=False) if entry.after else "",
                            entry.note,
                        )
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
