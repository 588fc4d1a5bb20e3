"""/team: a manager's reports and their training status; /team/remind: reminders."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import Bundle

from ..admin.audit import record
from ..auth.learner_sessions import learner_only
from ..catalog import Catalog
from ..extensions import db
from ..models import User
from ..paging import PAGE_SIZE, page_number
from ..tasks.runs import new_run
from ..training.learner_status import Status
from ..web import current_locale, get_catalog
from . import bp
from .forms import RemindForm
from .jobs import remind_reports
from .membership import manages_anyone
from .queries import TeamFilters, in_team, team_rows
from .reminding import claim


def _manager() -> User:
    """The signed-in person, who must manage someone: else 403 (admins and case handlers
    too: admins use the reports). Never on a shared kiosk device, whose screen the next
    person sees."""
    if learner_only() or not manages_anyone(current_user):
        abort(403)
    return current_user


@bp.get("/team")
@login_required
def team():
    manager = _manager()
    catalog = get_catalog()
    filters = TeamFilters.from_args(request.args, catalog)
    query = team_rows(manager, filters)
    # One query per page: each row carries the number of matching rows (a window count).
    # db.paginate yields one value per row: the columns travel as one Bundle.
    pagination = db.paginate(
        query.with_only_columns(Bundle("row", *query.selected_columns), maintain_column_froms=True),
        page=page_number(),
        per_page=PAGE_SIZE,
        error_out=False,
        count=False,
    )
    items = list(pagination.items)
    if items:
        pagination.total = items[0].matching
    elif pagination.page > 1:  # past the end: count, so the pager can lead back
        pagination.total = db.session.scalar(select(db.func.count()).select_from(query.subquery()))
    else:
        pagination.total = 0
    form = RemindForm(course=filters.course)
    form.course.choices = _course_choices(catalog)
    return render_template(
        "team/team.html",
        rows=items,
        pagination=pagination,
        filters=filters,
        args={k: v for k, v in request.args.items() if k != "page"},
        courses=catalog.courses,
        statuses=[s.value for s in Status],
        form=form,
    )


def _course_choices(catalog: Catalog) -> list[tuple[str, str]]:
    locale = current_locale()
    return [(cid, course.title_in(locale)) for cid, course in catalog.courses.items()]


@bp.post("/team/remind")
@login_required
def remind():
    manager = _manager()
    catalog = get_catalog()
    form = RemindForm()
    form.course.choices = _course_choices(catalog)
    if not form.validate():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return render_template("error.html", code=400, message=message), 400
    person_id = form.person.data
    if (
        person_id is not None
        and db.session.scalar(select(User.id).where(User.id == person_id, User.id.in_(in_team(manager)))) is None
    ):
        abort(403)  # not one of this manager's reports: nothing is sent
    back = redirect(url_for(".team", course=form.course.data, direct="y" if form.direct.data else None))
    if not current_app.config["ELEARN_SMTP_HOST"]:
        flash(_("Email is not set up on this site, so no reminder was sent."), "error")
        return back
    outcome = claim(manager, form.course.data, person_id, bool(form.direct.data))
    person = db.session.get(User, person_id) if person_id is not None else None
    note = {"course": form.course.data, "sent": len(outcome.claimed), "skipped": outcome.skipped}
    record("team.remind", person.employee_id if person else form.course.data, None, note)
    if outcome.claimed:
        remind_reports(new_run("reminders", manager.id), outcome.claimed)  # new_run commits the claims and the entry
    else:
        db.session.commit()
    flash(
        ngettext(
            "%(num)d reminder sent, %(skipped)d skipped: reminded in the last day.",
            "%(num)d reminders sent, %(skipped)d skipped: reminded in the last day.",
            len(outcome.claimed),
            skipped=outcome.skipped,
        ),
        "info",
    )
    if outcome.without_email:
        flash(
            ngettext(
                "%(num)d person has no email address and was not reminded.",
                "%(num)d people have no email address and were not reminded.",
                outcome.without_email,
            ),
            "info",
        )
    return back
