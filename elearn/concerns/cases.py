"""Case handling: the case-handler role only."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..i18n import LOCALES
from ..models import utcnow
from ..paging import PAGE_SIZE, page_number
from ..web import country_choices
from . import bp
from .categories import category_choices, category_name
from .forms import CaseMessageForm, CaseStatusForm, status_labels
from .models import STATUSES, Concern
from .service import add_message, change_status, decrypted, messages

AGES = (7, 30, 90)


@bp.get("/cases")
@role_required("case_handler")
def queue():
    args = request.args
    query = select(Concern)
    if args.get("status") in STATUSES:
        query = query.where(Concern.status == args["status"])
    elif args.get("status") != "all":
        query = query.where(Concern.status != "closed")
    categories = dict(category_choices())
    if args.get("category") in categories:
        query = query.where(Concern.category == args["category"])
    if (args.get("country") or "").upper() in dict(country_choices()):
        query = query.where(Concern.country == args["country"].upper())
    if args.get("language") in LOCALES:
        query = query.where(Concern.language == args["language"])
    older_than = args.get("older_than", type=int)
    if older_than in AGES:
        query = query.where(Concern.created_at < utcnow() - timedelta(days=older_than))
    pagination = db.paginate(
        query.order_by(Concern.created_at.asc(), Concern.id), page=page_number(), per_page=PAGE_SIZE, error_out=False
    )
    return render_template(
        "concerns/queue.html",
        pagination=pagination,
        args=args,
        statuses=status_labels(),
        categories=categories,
        category_name=category_name,
        countries=country_choices(),
        locales=LOCALES,
        ages=AGES,
    )


def _case(case_id: int) -> Concern:
    concern = db.session.get(Concern, case_id)
    if concern is None:
        abort(404)
    return concern


def _render_case(concern: Concern, failed: tuple[str, CaseMessageForm] | None = None):
    """The case page; `failed` is the (kind, form) just refused, shown with its errors."""
    forms = {kind: CaseMessageForm(prefix=kind) for kind in ("answer", "note")}
    if failed is not None:
        forms[failed[0]] = failed[1]
    return render_template(
        "concerns/case.html",
        concern=concern,
        text=decrypted(concern),
        answers=messages(concern, "answer"),
        notes=messages(concern, "note"),
        status_form=CaseStatusForm(status=concern.status),
        answer_form=forms["answer"],
        note_form=forms["note"],
        statuses=status_labels(),
        category_name=category_name,
        countries=dict(country_choices()),
    )


@bp.get("/cases/<int:case_id>")
@role_required("case_handler")
def case(case_id: int):
    return _render_case(_case(case_id))


@bp.post("/cases/<int:case_id>/status")
@role_required("case_handler")
def set_status(case_id: int):
    concern = _case(case_id)
    form = CaseStatusForm()
    if form.validate_on_submit() and change_status(concern, form.status.data, current_user.id):
        db.session.commit()
        flash(_("Status changed."), "info")
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/cases/<int:case_id>/<any(answer, note):kind>")
@role_required("case_handler")
def add_case_message(case_id: int, kind: str):
    concern = _case(case_id)
    form = CaseMessageForm(prefix=kind)
    if form.validate_on_submit():
        add_message(concern, kind, form.body.data, current_user.id)
        db.session.commit()
        flash(
            _("The answer is saved. The reporter sees it on the status page.")
            if kind == "answer"
            else _("The internal note is saved."),
            "info",
        )
        return redirect(url_for(".case", case_id=case_id))
    return _render_case(concern, failed=(kind, form)), 400
