"""Handler groups: lead case handlers decide who works on which cases (assignment.py
holds the rule that uses them). Admins never manage groups: groups decide who reads
case content, and admins read none. A group change is no case event and goes to no
audit log (the page flashes what it did)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..auth.roles import role_required
from ..extensions import db
from ..models import User
from ..web import current_locale, get_catalog
from . import assignment, bp
from .categories import category_choices, category_name
from .group_forms import HandlerGroupForm
from .models import Concern, HandlerGroup


def region_choices() -> list[tuple[str, str]]:
    """(id, name in the reader's language) of the catalog's regions."""
    catalog, locale = get_catalog(), current_locale()
    return [(region, catalog.region_name(region, locale)) for region in catalog.region_ids]


def handler_choices() -> list[tuple[str, str]]:
    """The active people who handle cases, as (user id as text, label): the employee id
    tells two people of the same name apart."""
    return [(str(u.id), f"{u.shown_name} ({u.employee_id})") for u in assignment.case_handlers()]


def open_cases_by_group() -> dict[int | None, int]:
    """Open cases per group id (None: the cases in no group)."""
    rows = db.session.execute(
        select(Concern.group_id, func.count()).where(Concern.status != "closed").group_by(Concern.group_id)
    )
    return {group_id: count for group_id, count in rows}


def _group(group_id: int) -> HandlerGroup:
    group = db.session.get(HandlerGroup, group_id)
    if group is None:
        abort(404)
    return group


def _name_taken(name: str, group_id: int | None) -> bool:
    """The same test as the column's unique constraint (exact text)."""
    query = select(HandlerGroup.id).where(HandlerGroup.name == name)
    if group_id is not None:
        query = query.where(HandlerGroup.id != group_id)
    return db.session.scalar(query) is not None


@bp.get("/cases/groups")
@role_required(assignment.LEAD)
def groups():
    catalog, locale = get_catalog(), current_locale()
    rows = db.session.scalars(
        select(HandlerGroup).options(selectinload(HandlerGroup.members)).order_by(HandlerGroup.id)
    ).all()
    return render_template(
        "concerns/groups.html",
        groups=rows,
        open_cases=open_cases_by_group(),
        region_name=lambda region: catalog.region_name(region, locale),
        category_name=category_name,
    )


def _stored(group: HandlerGroup) -> dict:
    """The group as the form shows it before any change."""
    return {
        "name": group.name,
        "regions": group.regions.split(),
        "categories": group.categories.split(),
        "is_default": group.is_default,
        "members": [str(member.id) for member in group.members],
    }


def _edit(group: HandlerGroup | None):
    """The new-group and edit pages: a refused form is shown again with status 400 and
    nothing stored."""
    form = HandlerGroupForm(
        # a POST carries every field (an unticked box is absent): nothing comes from the stored group
        data=_stored(group) if group is not None and request.method == "GET" else None,
        regions=region_choices(),
        categories=category_choices(),
        handlers=handler_choices(),
    )
    if request.method == "GET":
        return _render_form(form, group)
    if not form.validate():
        return _render_form(form, group), 400
    if _name_taken(form.name.data, group.id if group is not None else None):
        return _name_refused(form, group)
    # read before any change: the query's autoflush would write the change outside the try below
    members = list(db.session.scalars(select(User).where(User.id.in_(form.member_ids()))))
    saved = group if group is not None else HandlerGroup()
    saved.name = form.name.data
    # in the order of the choices, so the stored text does not depend on the browser's
    saved.regions = " ".join(r for r, _name in form.regions.choices if r in form.regions.data)
    saved.categories = " ".join(c for c, _name in form.categories.choices if c in form.categories.data)
    saved.is_default = form.is_default.data
    saved.members = members
    db.session.add(saved)
    try:
        db.session.flush()
        if saved.is_default:
            # one default group (route_case would take the first and ignore the others)
            db.session.execute(update(HandlerGroup).where(HandlerGroup.id != saved.id).values(is_default=False))
        db.session.commit()
    except IntegrityError:  # someone else saved a group of that name a moment ago
        db.session.rollback()
        return _name_refused(form, group)
    flash(_("The group “%(name)s” is saved.", name=saved.name), "info")
    return redirect(url_for(".groups"))


def _name_refused(form: HandlerGroupForm, group: HandlerGroup | None):
    form.name.errors = list(form.name.errors) + [_("Another group is already called “%(name)s”.", name=form.name.data)]
    return _render_form(form, group), 400


def _render_form(form: HandlerGroupForm, group: HandlerGroup | None):
    return render_template(
        "concerns/group_form.html",
        form=form,
        group=group,
        open_cases=open_cases_by_group().get(group.id, 0) if group is not None else 0,
    )


@bp.route("/cases/groups/new", methods=["GET", "POST"])
@role_required(assignment.LEAD)
def new_group():
    return _edit(None)


@bp.route("/cases/groups/<int:group_id>/edit", methods=["GET", "POST"])
@role_required(assignment.LEAD)
def edit_group(group_id: int):
    return _edit(_group(group_id))


@bp.post("/cases/groups/<int:group_id>/delete")
@role_required(assignment.LEAD)
def delete_group(group_id: int):
    group = _group(group_id)
    name = group.name
    # the foreign key says ON DELETE SET NULL; said here too for SQLite without foreign keys
    db.session.execute(update(Concern).where(Concern.group_id == group.id).values(group_id=None))
    db.session.delete(group)  # the ORM removes its member rows
    db.session.commit()
    flash(
        _("The group “%(name)s” is deleted. Its cases are now in no group.", name=name),
        "info",
    )
    return redirect(url_for(".groups"))
