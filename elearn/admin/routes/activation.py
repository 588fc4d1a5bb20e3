"""Admin: sheets of one-time activation codes (the codes themselves: auth/activation.py)."""

from __future__ import annotations

from datetime import timedelta

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ...auth.activation import CODE_DAYS, issue_code
from ...auth.grants import refusal
from ...auth.roles import role_required
from ...extensions import db
from ...models import User, utcnow
from ...urls import absolute_url
from ...web import get_catalog
from .. import bp
from ..audit import record
from ..scope import actor_scope, not_privileged, person_of, scope_clause


@bp.route("/activation-codes", methods=["GET", "POST"])
@role_required("admin")
def activation_codes():
    """Print a sheet of codes for a department (or everyone the admin manages). A scoped
    admin's sheet leaves out anyone they may not manage (auth/grants.py): people outside
    their scope and anyone with a privileged role, whose password a code would replace."""
    scope = actor_scope()
    base = select(User).where(User.active.is_(True))
    clause = scope_clause(scope, get_catalog())
    if clause is not None:
        base = base.where(clause, not_privileged())
    departments = db.session.scalars(
        select(User.department)
        .distinct()
        .where(User.department.is_not(None), User.id.in_(base.with_only_columns(User.id)))
        .order_by(User.department)
    ).all()
    if request.method == "GET":
        return render_template("admin/activation.html", departments=departments, sheet=None)
    department = request.form.get("department") or None
    only_new = request.form.get("only_without_password") == "y"
    query = base
    if department:
        query = query.where(User.department == department[:120])
    if only_new:
        query = query.where(User.password_hash.is_(None))
    people = db.session.scalars(query.order_by(User.department, User.name).limit(5000)).all()
    # The same rule as every other path, person by person (the query above only narrows).
    sheet = [(person, issue_code(person)) for person in people if refusal(scope, person_of(person)) is None]
    record("activation_codes.issue", department or _("all"), None, {"count": len(sheet)})
    db.session.commit()
    return render_template(
        "admin/activation.html",
        departments=departments,
        sheet=sheet,
        department=department,
        expires=utcnow() + timedelta(days=CODE_DAYS),
        activate_url=absolute_url(url_for("auth.activate")),
    )
