"""Case handling: case handlers and lead case handlers, each on the cases
assignment.py lets them see (any other case is a 404, as if it did not exist)."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import role_required
from ..extensions import db
from ..forms import BaseForm
from ..i18n import LOCALES
from ..models import utcnow
from ..paging import PAGE_SIZE, page_number
from ..web import country_choices
from . import bp
from .assignment import HANDLER_ROLES, LEAD, case_handlers, is_lead, visible_to
from .categories import category_choices, category_name
from .deadlines import ack_due, feedback_due
from .dialogue import attachment_response
from .forms import AssignForm, CaseMessageForm, CaseStatusForm, ConflictForm, status_labels
from .history import history_lines
from .models import STATUSES, Concern, HandlerGroup
from .service import add_message, assign, attachment_of, change_status, declare_conflict, decrypted, messages, periods
from .uploads import cleaned_uploads

AGES = (7, 30, 90)


@bp.get("/cases")
@role_required(*HANDLER_ROLES)
def queue():
    args = request.args
    query = select(Concern).where(visible_to(current_user))
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
    if args.get("handler") == "me":
        query = query.where(Concern.assignee_id == current_user.id)
    elif args.get("handler") == "nobody":
        query = query.where(Concern.assignee_id.is_(None))
    # the nearest deadline first (overdue ones are the nearest); cases with none last
    order = (Concern.due_at.is_(None), Concern.due_at, Concern.created_at, Concern.id)
    pagination = db.paginate(query.order_by(*order), page=page_number(), per_page=PAGE_SIZE, error_out=False)
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
        now=utcnow(),
    )


def _case(case_id: int) -> Concern:
    # one query: the case, if this person may see it
    concern = db.session.scalar(select(Concern).where(Concern.id == case_id, visible_to(current_user)))
    if concern is None:
        abort(404)
    return concern


def _assign_form(concern: Concern, formdata=None) -> AssignForm:
    groups = db.session.execute(select(HandlerGroup.id, HandlerGroup.name).order_by(HandlerGroup.name)).all()
    handlers = [(u.id, u.shown_name) for u in case_handlers(excluding_conflicts_of=concern.id)]
    form = AssignForm(formdata=formdata, prefix="assign", groups=groups, handlers=handlers)
    if formdata is None:
        form.group.data = str(concern.group_id or "")
        form.assignee.data = str(concern.assignee_id or "")
    return form


def _render_case(concern: Concern, failed: tuple[str, CaseMessageForm] | None = None):
    """The case page; `failed` is the (kind, form) just refused, shown with its errors."""
    forms = {kind: CaseMessageForm(prefix=kind) for kind in ("answer", "note")}
    if failed is not None:
        forms[failed[0]] = failed[1]
    p = periods()
    return render_template(
        "concerns/case.html",
        concern=concern,
        text=decrypted(concern),
        conversation=messages(concern, ("answer", "reporter")),
        notes=messages(concern, ("note",)),
        history=history_lines(concern),
        ack_due=ack_due(concern.created_at, p),
        feedback_due=feedback_due(concern.created_at, concern.acknowledged_at, p),
        now=utcnow(),
        status_form=CaseStatusForm(status=concern.status),
        answer_form=forms["answer"],
        note_form=forms["note"],
        assign_form=_assign_form(concern) if is_lead(current_user) else None,
        conflict_form=ConflictForm(prefix="conflict"),
        statuses=status_labels(),
        category_name=category_name,
        countries=dict(country_choices()),
    )


@bp.get("/cases/<int:case_id>")
@role_required(*HANDLER_ROLES)
def case(case_id: int):
    return _render_case(_case(case_id))


@bp.post("/cases/<int:case_id>/status")
@role_required(*HANDLER_ROLES)
def set_status(case_id: int):
    concern = _case(case_id)
    form = CaseStatusForm()
    if form.validate_on_submit() and change_status(concern, form.status.data, current_user.id):
        db.session.commit()
        flash(_("Status changed."), "info")
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/cases/<int:case_id>/<any(answer, note):kind>")
@role_required(*HANDLER_ROLES)
def add_case_message(case_id: int, kind: str):
    concern = _case(case_id)
    form = CaseMessageForm(prefix=kind)
    if form.validate_on_submit():
        files, errors = cleaned_uploads(form.files.data or [])
        if not errors:
            add_message(
                concern, kind, form.body.data, current_user.id, files, feedback=kind == "answer" and form.feedback.data
            )
            db.session.commit()
            flash(
                _("The answer is saved. The reporter sees it on the status page.")
                if kind == "answer"
                else _("The internal note is saved."),
                "info",
            )
            return redirect(url_for(".case", case_id=case_id))
        form.files.errors = list(errors)
    return _render_case(concern, failed=(kind, form)), 400


@bp.post("/cases/<int:case_id>/acknowledge")
@role_required(*HANDLER_ROLES)
def acknowledge(case_id: int):
    """Sends the standard acknowledgement, in the language the reporter asked for."""
    concern = _case(case_id)
    if concern.acknowledged_at is None and BaseForm().validate_on_submit():
        due = feedback_due(concern.created_at, utcnow(), periods())
        with force_locale(concern.language):
            text = _(
                "We have received your report and we are looking into it. We will tell you what we did "
                "by %(date)s. We may ask you questions here, so please check again with your receipt code.",
                date=format_date(due, "long"),
            )
        add_message(concern, "answer", text, current_user.id)
        db.session.commit()
        flash(_("The acknowledgement is sent to the reporter."), "info")
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/cases/<int:case_id>/assign")
@role_required(LEAD)
def assign_case(case_id: int):
    concern = _case(case_id)
    form = _assign_form(concern, formdata=request.form)
    if not form.validate_on_submit():
        flash(_("Choose a group and a handler from the lists."), "error")
        return _render_case(concern), 400
    if assign(concern, int(form.group.data or 0) or None, int(form.assignee.data or 0) or None, current_user.id):
        db.session.commit()
        flash(_("The case is reassigned."), "info")
    return redirect(url_for(".case", case_id=case_id))


@bp.post("/cases/<int:case_id>/conflict")
@role_required(*HANDLER_ROLES)
def conflict(case_id: int):
    concern = _case(case_id)
    if not ConflictForm(prefix="conflict").validate_on_submit():
        flash(_("Tick the box to confirm that you have a conflict of interest."), "error")
        return redirect(url_for(".case", case_id=case_id))
    declare_conflict(concern, current_user.id)
    db.session.commit()
    flash(_("You are out of this case. It is no longer in your queue."), "info")
    return redirect(url_for(".queue"))


@bp.get("/cases/<int:case_id>/files/<int:attachment_id>")
@role_required(*HANDLER_ROLES)
def case_file(case_id: int, attachment_id: int):
    _case(case_id)
    found = attachment_of(case_id, attachment_id, reporter_visible=False)
    if found is None:
        abort(404)
    return attachment_response(*found)
