"""Admin: assign a course by hand to one person or a whole department, with a due date."""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ...auth.roles import role_required
from ...extensions import db
from ...models import User
from ...training.assignments import assign, current_assignment
from ...web import current_locale, get_catalog
from .. import bp
from ..audit import record
from ..forms import AssignForm
from ..scope import actor_clause


@bp.route("/assign", methods=["GET", "POST"])
@role_required("admin")
def assign_course():
    catalog = get_catalog()
    form = AssignForm(courses=[(cid, c.title_in(current_locale())) for cid, c in catalog.courses.items()])
    if form.validate_on_submit():
        query = select(User).where(User.active.is_(True))
        clause = actor_clause()
        if clause is not None:
            query = query.where(clause)
        if form.target.data == "user":
            query = query.where(User.employee_id == (form.employee_id.data or "").strip())
        else:
            query = query.where(User.department == (form.department.data or "").strip())
        people = db.session.scalars(query).all()
        if not people:
            field = form.employee_id if form.target.data == "user" else form.department
            field.errors.append(_("Nobody you manage matches. Check the employee ID or department."))
        else:
            course = catalog.courses[form.course_id.data]
            due = datetime.combine(form.due.data, time(23, 59), tzinfo=UTC)
            for person in people:
                existing = current_assignment(person.id, course.id)
                if existing is None:
                    assign(person, course, due, "manual")
                else:
                    existing.due_at = due
            record(
                "assignment.manual",
                f"{course.id}:{form.target.data}",
                None,
                {
                    "people": len(people),
                    "due": form.due.data.isoformat(),
                    "employee_id": form.employee_id.data or None,
                    "department": form.department.data or None,
                },
            )
            db.session.commit()
            flash(ngettext("Assigned to %(num)s person.", "Assigned to %(num)s people.", len(people)), "info")
            return redirect(url_for(".assign_course"))
    return render_template("admin/assign.html", form=form), 400 if form.errors else 200
