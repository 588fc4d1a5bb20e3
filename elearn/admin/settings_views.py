"""Admin: API tokens for HR systems, and the audit log (view and export)."""
from __future__ import annotations

import csv
import io
import json

from flask import Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.roles import role_required
from ..extensions import db
from ..models import AuditLog, User, utcnow
from . import bp
from .audit import record
from .cells import safe_cell
from .models import ApiToken
from .scope import require_unscoped

PAGE_SIZE = 50


@bp.route("/api-tokens", methods=["GET", "POST"])
@role_required("admin")
def api_tokens():
    from ..api.tokens import create_token
    require_unscoped()
    new_token = None
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:120]
        if not name:
            flash(_("Give the token a name, such as the HR system that will use it."), "error")
        else:
            row, new_token = create_token(name, current_user.id)
            record("api_token.create", name, None, {"id": row.id})
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
    query = select(AuditLog, User.employee_id).outerjoin(User, User.id == AuditLog.actor_id)
    action = (request.args.get("action") or "").strip()[:64]
    if action:
        query = query.where(AuditLog.action == action)
    return query.order_by(AuditLog.id.desc())


@bp.get("/audit")
@role_required("admin")
def audit_log():
    require_unscoped()
    query = _audit_query()
    page = max(request.args.get("page", 1, type=int), 1)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    actions = db.session.scalars(select(AuditLog.action).distinct().order_by(AuditLog.action)).all()
    return render_template("admin/audit.html", rows=rows, total=total, page=page, args=request.args,
                           pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1), actions=actions)


@bp.get("/audit.csv")
@role_required("admin")
def audit_csv():
    require_unscoped()
    statement = _audit_query().execution_options(yield_per=2000)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["at", "actor", "action", "target", "before", "after", "note"])
        for chunk in db.session.execute(statement).partitions():
            for entry, actor in chunk:
                writer.writerow([entry.at.isoformat()] + [safe_cell(text) for text in (
                    actor, entry.action, entry.target,
                    json.dumps(entry.before, ensure_ascii=False) if entry.before else "",
                    json.dumps(entry.after, ensure_ascii=False) if entry.after else "", entry.note)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})
