"""Admin pages of the platforms allowed to launch elearn (/lti/registrations). A
registration decides who may sign in from where, so only an unscoped admin manages
them (admin/scope.require_unscoped); every change goes to the audit log. Each page
shows the values the platform's admin types for the tool."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..admin.audit import record
from ..admin.scope import require_unscoped
from ..auth.roles import role_required
from ..extensions import db
from ..models import ExternalIdentity
from ..urls import absolute_url
from . import bp
from .forms import RegistrationForm, deployment_list, key_set_of
from .keys import tool_key
from .launches import provider_key
from .models import LtiGradeTarget, LtiRegistration


def tool_urls() -> dict[str, str]:
    """What the platform's admin types for the tool (README: LTI 1.3)."""
    launch = absolute_url(url_for("lti.launch"))
    return {
        "login": absolute_url(url_for("lti.login")),
        "launch": launch,
        "deep_linking": launch,
        "jwks": absolute_url(url_for("lti.jwks")),
    }


def snapshot(row: LtiRegistration) -> dict:
    return {
        "label": row.label,
        "issuer": row.issuer,
        "client_id": row.client_id,
        "deployment_ids": list(row.deployment_ids or []),
        "auth_login_url": row.auth_login_url,
        "auth_token_url": row.auth_token_url,
        "key_set_url": row.key_set_url,
        "key_set": bool(row.key_set),
        "employee_id_claim": row.employee_id_claim,
    }


def apply(row: LtiRegistration, form: RegistrationForm) -> None:
    row.label = form.label.data
    row.issuer = form.issuer.data
    row.client_id = form.client_id.data
    row.deployment_ids = deployment_list(form.deployment_ids.data)
    row.auth_login_url = form.auth_login_url.data
    row.auth_token_url = form.auth_token_url.data
    row.key_set_url = form.key_set_url.data or None
    row.key_set = key_set_of(form.key_set.data) if form.key_set.data else None
    row.employee_id_claim = form.employee_id_claim.data or None


def remove(row: LtiRegistration) -> None:
    """The registration and what hangs on it: its sign-in links (a later registration may
    get the same id, and platforms' `sub`s are often small numbers) and grade targets."""
    db.session.execute(delete(ExternalIdentity).where(ExternalIdentity.provider == provider_key(row)))
    db.session.execute(delete(LtiGradeTarget).where(LtiGradeTarget.registration_id == row.id))
    db.session.delete(row)


def _taken(form: RegistrationForm, row_id: int | None) -> bool:
    other = db.session.scalar(
        select(LtiRegistration.id).where(
            LtiRegistration.issuer == form.issuer.data, LtiRegistration.client_id == form.client_id.data
        )
    )
    return other is not None and other != row_id


def _form_page(form: RegistrationForm, row: LtiRegistration | None, status: int = 200):
    return render_template("lti/registration_form.html", form=form, row=row, urls=tool_urls()), status


@bp.get("/registrations")
@role_required("admin")
def registrations():
    require_unscoped()
    rows = db.session.scalars(select(LtiRegistration).order_by(LtiRegistration.label, LtiRegistration.id)).all()
    return render_template("lti/registrations.html", rows=rows, urls=tool_urls(), key_on=tool_key() is not None)


@bp.route("/registrations/new", methods=["GET", "POST"])
@role_required("admin")
def new_registration():
    require_unscoped()
    form = RegistrationForm()
    if not form.validate_on_submit():
        return _form_page(form, None, 400 if form.errors else 200)
    if _taken(form, None):
        form.client_id.errors = [_("This platform and client ID are registered already.")]
        return _form_page(form, None, 400)
    row = LtiRegistration()
    apply(row, form)
    db.session.add(row)
    db.session.flush()
    record("lti_registration.add", f"lti:{row.id}", None, snapshot(row))
    db.session.commit()
    flash(_("%(label)s may now launch courses here.", label=row.label), "info")
    return redirect(url_for(".registrations"))


@bp.route("/registrations/<int:registration_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_registration(registration_id: int):
    require_unscoped()
    row = db.session.get(LtiRegistration, registration_id)
    if row is None:
        abort(404)
    form = RegistrationForm(
        data={
            **snapshot(row),
            "deployment_ids": "\n".join(row.deployment_ids or []),
            "key_set_url": row.key_set_url or "",
            "key_set": json.dumps(row.key_set, indent=2) if row.key_set else "",
            "employee_id_claim": row.employee_id_claim or "",
        }
    )
    if not form.validate_on_submit():
        return _form_page(form, row, 400 if form.errors else 200)
    if _taken(form, row.id):
        form.client_id.errors = [_("This platform and client ID are registered already.")]
        return _form_page(form, row, 400)
    before = snapshot(row)
    apply(row, form)
    record("lti_registration.change", f"lti:{row.id}", before, snapshot(row))
    db.session.commit()
    flash(_("The changes to %(label)s are saved.", label=row.label), "info")
    return redirect(url_for(".registrations"))


@bp.post("/registrations/<int:registration_id>/delete")
@role_required("admin")
def delete_registration(registration_id: int):
    require_unscoped()
    row = db.session.get(LtiRegistration, registration_id)
    if row is None:
        abort(404)
    record("lti_registration.remove", f"lti:{row.id}", snapshot(row), None)
    remove(row)
    db.session.commit()
    flash(
        _("%(label)s can no longer launch courses here. People who came from it keep their accounts.", label=row.label),
        "info",
    )
    return redirect(url_for(".registrations"))
