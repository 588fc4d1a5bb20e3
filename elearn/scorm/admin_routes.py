"""Admin: LMS connections and SCORM packages. A connection lets an LMS's learners
into this site, so only an unscoped admin manages them and builds packages; every
change is in the audit log."""

from __future__ import annotations

import io

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..admin.audit import record
from ..admin.scope import require_unscoped
from ..auth.roles import role_required
from ..extensions import db
from ..i18n import LOCALES
from ..models import ExternalIdentity, utcnow
from ..web import current_locale, get_catalog
from . import bp, dispatch, package
from .forms import ConnectionForm, PackageForm
from .models import LmsConnection


def _package_form() -> PackageForm:
    catalog, locale = get_catalog(), current_locale()
    form = PackageForm()
    form.course.choices = [(c.id, c.title_in(locale)) for c in catalog.courses.values()]
    form.locale.choices = [(code, names[0]) for code, names in LOCALES.items()]
    form.region.choices = [(r, catalog.region_name(r, locale)) for r in catalog.region_ids]
    form.connection.choices = [(0, "–")] + [
        (c.id, c.name)
        for c in db.session.scalars(
            select(LmsConnection).where(LmsConnection.revoked_at.is_(None)).order_by(LmsConnection.name)
        )
    ]
    return form


def _page(package_form=None, connection_form=None, package_error=None, status=200):
    connections = db.session.scalars(select(LmsConnection).order_by(LmsConnection.name)).all()
    counts = dict(
        db.session.execute(
            select(ExternalIdentity.provider, func.count(ExternalIdentity.id))
            .where(ExternalIdentity.provider.in_([dispatch.provider(c) for c in connections]))
            .group_by(ExternalIdentity.provider)
        ).all()
    )
    page = render_template(
        "scorm/lms.html",
        connections=[{"connection": c, "learners": counts.get(dispatch.provider(c), 0)} for c in connections],
        package_form=package_form or _package_form(),
        connection_form=connection_form or ConnectionForm(),
        package_error=package_error,
    )
    return page, status


@bp.get("/admin/lms")
@role_required("admin")
def lms_page():
    require_unscoped()
    return _page()


@bp.post("/admin/lms/connections")
@role_required("admin")
def new_connection():
    require_unscoped()
    form = ConnectionForm()
    if not form.validate_on_submit():
        return _page(connection_form=form, status=400)
    if db.session.scalar(select(LmsConnection.id).where(LmsConnection.name == form.name.data)):
        form.name.errors = [_("An LMS connection has this name already.")]
        return _page(connection_form=form, status=400)
    connection = LmsConnection(
        name=form.name.data,
        learner_ids_are_employee_ids=form.learner_ids_are_employee_ids.data,
        created_by=current_user.id,
    )
    db.session.add(connection)
    db.session.flush()
    record(
        "lms.connection_added",
        connection.name,
        after={"learner_ids_are_employee_ids": connection.learner_ids_are_employee_ids},
    )
    db.session.commit()
    flash(_("LMS connection added: build its packages below."))
    return redirect(url_for("scorm.lms_page"))


@bp.post("/admin/lms/connections/<int:connection_id>/revoke")
@role_required("admin")
def revoke_connection(connection_id: int):
    require_unscoped()
    connection = db.get_or_404(LmsConnection, connection_id)
    if connection.revoked_at is None:
        connection.revoked_at = utcnow()
        record("lms.connection_withdrawn", connection.name)
        db.session.commit()
    flash(_("Withdrawn: its packages no longer open."))
    return redirect(url_for("scorm.lms_page"))


@bp.post("/admin/lms/package")
@role_required("admin")
def build_package():
    require_unscoped()
    form = _package_form()
    if not form.validate_on_submit():
        return _page(package_form=form, status=400)
    connection = db.session.get(LmsConnection, form.connection.data) if form.connection.data else None
    spec = package.PackageSpec(
        course_id=form.course.data,
        locale=form.locale.data,
        region=form.region.data,
        version=form.version.data,
        mode=form.mode.data,
        connection=connection if form.mode.data == "dispatch" else None,
    )
    try:
        data = package.build(spec, get_catalog())
    except package.PackageError as problem:
        return _page(package_form=form, package_error=str(problem), status=400)
    record("lms.package_built", spec.file_name, note=spec.connection.name if spec.connection else None)
    db.session.commit()
    return send_file(
        io.BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=spec.file_name, max_age=0
    )
