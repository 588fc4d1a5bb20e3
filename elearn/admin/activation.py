"""One-time activation codes for imported people (who have no password yet)."""
from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from flask import current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select, update

from ..auth.grants import refusal
from ..auth.roles import role_required
from ..extensions import db
from ..models import User, utcnow
from ..urls import absolute_url
from ..web import get_catalog
from . import bp
from .audit import record
from .models import ActivationCode
from .scope import not_privileged, person_of, scope_clause, scope_of

CODE_DAYS = 30


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def issue_code(user: User, days: int = CODE_DAYS) -> str:
    """A new code (60 random bits) replaces any unused one of this person."""
    db.session.execute(update(ActivationCode).where(ActivationCode.user_id == user.id,
                                                    ActivationCode.used_at.is_(None))
                       .values(used_at=utcnow()))
    raw = base64.b32encode(secrets.token_bytes(8)).decode()[:12]
    code = "-".join(raw[i:i + 4] for i in range(0, 12, 4))
    db.session.add(ActivationCode(user_id=user.id, code_hash=_hash(code),
                                  expires_at=utcnow() + timedelta(days=days)))
    return code


def redeem(employee_id: str, code: str) -> User | None:
    """The person the code belongs to, if it is theirs, unused and unexpired."""
    row = db.session.execute(
        select(ActivationCode, User).join(User, User.id == ActivationCode.user_id)
        .where(ActivationCode.code_hash == _hash(code), User.employee_id == employee_id.strip()))\
        .first()
    if row is None:
        return None
    activation, user = row
    if activation.used_at is not None or activation.expires_at <= utcnow() or not user.active:
        return None
    activation.used_at = utcnow()
    return user


@bp.route("/activation-codes", methods=["GET", "POST"])
@role_required("admin")
def activation_codes():
    """Print a sheet of codes for a department (or everyone the admin manages). A scoped
    admin's sheet leaves out anyone they may not manage (auth/grants.py): people outside
    their scope and anyone with a privileged role, whose password a code would replace."""
    scope = scope_of(current_user.id)
    base = select(User).where(User.active.is_(True))
    clause = scope_clause(scope, get_catalog().regions)
    if clause is not None:
        base = base.where(clause, not_privileged())
    departments = db.session.scalars(select(User.department).distinct().where(
        User.department.is_not(None), User.id.in_(base.with_only_columns(User.id)))
        .order_by(User.department)).all()
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
    return render_template("admin/activation.html", departments=departments, sheet=sheet,
                           department=department, expires=utcnow() + timedelta(days=CODE_DAYS),
                           activate_url=absolute_url(url_for("auth.activate")),
                           site=current_app.config.get("ELEARN_SITE_NAME", "elearn"))
