"""Admin: users (list, create, edit, deactivate, roles) and the CSV import page."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from ...auth import second_factor
from ...auth.grants import (
    OUTSIDE_SCOPE,
    ROLE_NOT_GRANTABLE,
    UNSCOPED,
    Person,
    Scope,
    grantable_roles,
    may_set_scopes,
    names_self_manager,
    refusal,
)
from ...auth.roles import role_required
from ...extensions import db
from ...models import ROLES, User
from ...paging import PAGE_SIZE, page_number
from ...web import country_choices, current_locale, get_catalog
from .. import bp, full_feed
from ..audit import record, snapshot
from ..forms import FullFeedConfirmForm, ImportForm, UserForm, role_labels
from ..importer import ImportResult, check_file, run_import
from ..messages import rows_with_messages
from ..scope import actor_clause, actor_scope, filter_choices, person_of, require_unscoped, scope_of, set_scope


def _scoped(query):
    clause = actor_clause()
    return query if clause is None else query.where(clause)


def _user_or_404(user_id: int) -> User:
    """The user, if the admin may manage them: 404 outside their scope (they do not see
    that person at all), 403 for a privileged person inside it."""
    user = db.session.get(User, user_id)
    why = refusal(actor_scope(), person_of(user)) if user is not None else OUTSIDE_SCOPE
    if user is None or why == OUTSIDE_SCOPE:
        abort(404)
    if why is not None:
        abort(403)
    return user


@bp.get("/")
@role_required("admin")
def home():
    return redirect(url_for(".users"))


@bp.get("/users")
@role_required("admin")
def users():
    args = request.args
    query = _scoped(select(User))
    text = (args.get("q") or "").strip()[:100]
    if text:
        like = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(User.name).like(like),
                func.lower(User.employee_id).like(like),
                func.lower(User.email).like(like),
            )
        )
    if args.get("department"):
        query = query.where(User.department == args["department"][:120])
    if args.get("country"):
        query = query.where(User.country == args["country"][:2].upper())
    if args.get("active") in ("yes", "no"):
        query = query.where(User.active.is_(args["active"] == "yes"))
    pagination = db.paginate(
        query.order_by(User.name, User.id), page=page_number(), per_page=PAGE_SIZE, error_out=False
    )
    departments, countries, _regions = filter_choices(actor_scope())
    return render_template(
        "admin/users.html",
        pagination=pagination,
        args=args,
        departments=departments,
        countries=countries,
        role_labels=role_labels(),
    )


def _fill(user: User, form: UserForm) -> None:
    user.employee_id = form.employee_id.data.strip()
    user.name = form.name.data.strip()
    user.display_name = (form.display_name.data or "").strip() or None
    user.email = (form.email.data or "").strip() or None
    user.department = (form.department.data or "").strip() or None
    user.country = form.country.data
    user.hr_locale = form.hr_locale.data or None
    user.timezone = (form.timezone.data or "").strip() or None
    user.manager_email = (form.manager_email.data or "").strip() or None
    user.roles = " ".join(form.roles.data) or "learner"
    user.active = bool(form.active.data)


def _conflict(form: UserForm, user_id: int | None) -> bool:
    # (column, value, form field, message)
    checks: list[tuple[Any, str, Any, str]] = [
        (User.employee_id, form.employee_id.data.strip(), form.employee_id, _("Another user has this employee ID."))
    ]
    if form.email.data:
        checks.append(
            (func.lower(User.email), form.email.data.strip().lower(), form.email, _("Another user has this email."))
        )
    clash = _names_self_as_manager(form, user_id)
    for column, value, field, message in checks:
        other = db.session.scalar(select(User.id).where(column == value))
        if other is not None and other != user_id:
            field.errors.append(message)
            clash = True
    return clash


def _names_self_as_manager(form: UserForm, user_id: int | None) -> bool:
    stored = db.session.scalar(select(User.manager_email).where(User.id == user_id)) if user_id else None
    if not names_self_manager(current_user.email, form.manager_email.data, stored):
        return False
    form.manager_email.errors.append(_("You cannot name yourself as this person's manager: the HR feed does."))
    return True


def _save_user(user: User | None, form: UserForm, scope: Scope):
    """Create (user None) or update from a validated form, as the grant rule allows."""
    created = user is None
    user = user or User(employee_id="", name="")
    before = None if created else snapshot(user)
    old_scope = UNSCOPED if created else scope_of(user.id)
    _fill(user, form)
    previous = (
        None
        if before is None
        else Person.of(before["roles"], before["country"], before["department"], get_catalog().region_for)
    )
    why = refusal(scope, previous, person_of(user))
    if why is not None:
        db.session.rollback()
        if why == ROLE_NOT_GRANTABLE:
            form.roles.errors.append(_("You may not give this role."))
        else:
            form.country.errors.append(_("This person would be outside the users you manage."))
        return None
    db.session.add(user)
    db.session.flush()
    new_scope = old_scope
    if may_set_scopes(scope):  # a scope means something only for an administrator
        new_scope = (
            Scope(frozenset(form.scope_regions.data or ()), form.scope_department_list())
            if user.has_role("admin")
            else UNSCOPED
        )
    if new_scope != old_scope:
        set_scope(user.id, new_scope)
    _after_change(user)
    record(
        "user.create" if created else "user.update",
        user.employee_id,
        None if before is None else {**before, **_scope_fields(old_scope)},
        {**snapshot(user), **_scope_fields(new_scope)},
    )
    db.session.commit()
    flash(_("User created.") if created else _("Changes saved."), "info")
    return redirect(url_for(".edit_user", user_id=user.id))


def _scope_fields(scope: Scope) -> dict:
    return {"scope_regions": sorted(scope.regions), "scope_departments": sorted(scope.departments)}


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_user(user_id: int | None = None):
    user = _user_or_404(user_id) if user_id is not None else None
    scope = actor_scope()
    catalog = get_catalog()
    form = UserForm(
        obj=user,
        countries=country_choices(),
        roles=grantable_roles(scope, ROLES),
        regions=[(r, catalog.region_name(r, current_locale())) for r in catalog.region_ids],
        sets_scopes=may_set_scopes(scope),
    )
    if request.method == "GET":
        form.roles.data = user.roles.split() if user else ["learner"]
        if user is not None and may_set_scopes(scope):
            current = scope_of(user.id)
            form.scope_regions.data = sorted(current.regions)
            form.scope_departments.data = ", ".join(sorted(current.departments))
    if form.validate_on_submit() and not _conflict(form, user.id if user else None):
        response = _save_user(user, form, scope)
        if response is not None:
            return response
    has_factor = user is not None and second_factor.confirmed_factor(user.id) is not None
    return render_template(
        "admin/user_form.html", form=form, user=user, has_second_factor=has_factor, may_reset=actor_scope().unscoped
    ), (400 if form.errors else 200)


@bp.post("/users/<int:user_id>/second-factor/reset")
@role_required("admin")
def reset_second_factor(user_id: int):
    """A lost phone: the person sets up a new factor at their next password sign-in.
    Unscoped admins only (second factors guard admins and case handlers)."""
    require_unscoped()
    user = _user_or_404(user_id)
    if second_factor.reset(user.id):
        record("user.second_factor_reset", user.employee_id)
        db.session.commit()
        flash(_("The second factor of %(name)s was reset.", name=user.name), "info")
    return redirect(url_for(".edit_user", user_id=user.id))


def _after_change(user: User) -> None:
    from flask import current_app

    from ...training.assignments import apply_audience_rules

    if user.has_role("learner") and user.active:
        apply_audience_rules(user, get_catalog(), current_app.config["ELEARN_DEFAULT_DUE_DAYS"])


@bp.route("/users/import", methods=["GET", "POST"])
@role_required("admin")
def import_users():
    from flask import current_app

    form = ImportForm()
    result = None
    if form.validate_on_submit():
        raw = form.file.data.read(current_app.config["MAX_CONTENT_LENGTH"])
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
            form.file.errors.append(_("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
        if text is not None and form.full_feed.data:
            return _full_feed_preview(text, form)
        if text is not None and _large(text):
            return _import_in_background(text, form)
        if text is not None:
            result = run_import(
                text,
                get_catalog(),
                current_app.config["ELEARN_DEFAULT_DUE_DAYS"],
                valid_only=form.valid_only.data,
                grantor=actor_scope(),
                grantor_email=current_user.email,
            )
            if result.applied:
                record("users.import", form.file.data.filename or "upload", None, _import_fields(result))
                db.session.commit()
            else:
                db.session.rollback()
    return _import_page(form, result)


def _large(text: str) -> bool:
    from flask import current_app

    return text.count("\n") > current_app.config["ELEARN_IMPORT_SYNC_ROWS"]


def _import_fields(result: ImportResult) -> dict:
    return {"created": result.created, "updated": result.updated, "skipped_rows": result.error_rows}


def _import_page(form: ImportForm, result: ImportResult | None = None, **extra):
    messages = rows_with_messages(result.errors if result else [])
    refused = extra.get("refusal") or (result and result.errors and not result.applied)
    status = 400 if (form.errors or refused) else 200
    return render_template("admin/import.html", form=form, result=result, messages=messages, **extra), status


def _full_feed_preview(text: str, form: ImportForm):
    """Checks the file and shows who would be deactivated; applies nothing (the file
    is kept in the database until it is confirmed: admin/full_feed.py)."""
    if form.valid_only.data:
        form.full_feed.errors.append(
            _(
                "A file that lists everyone must have no errors: untick "
                "“Import the valid rows even if some rows have errors”."
            )
        )
        return _import_page(form)
    scope, catalog = actor_scope(), get_catalog()
    valid, errors = check_file(text, catalog, scope, current_user.email)
    if errors:
        refusal_text = _("This file has errors, so nobody was deactivated. Correct the rows below and upload it again.")
        return _import_page(form, ImportResult(errors=errors), refusal=refusal_text)
    people = full_feed.leavers(text, scope, current_user.id, catalog)
    filename = form.file.data.filename or "upload"
    new_people = full_feed.unknown_count([row.employee_id for row in valid])
    run_id = full_feed.save_preview(text, filename, people, new_people, current_user.id)
    preview = {"rows": len(valid), "new_people": new_people, "count": len(people), "shown": people[:200]}
    confirm = FullFeedConfirmForm(preview=str(run_id))
    return _import_page(form, preview=preview, confirm=confirm)


@bp.post("/users/import/confirm")
@role_required("admin")
def confirm_full_feed():
    """Applies a full-feed preview of this admin: the rows, then the deactivations, in one
    transaction, only if the same people would be deactivated as were shown."""
    from flask import current_app
    from flask_login import current_user

    confirm = FullFeedConfirmForm()
    run = full_feed.open_preview(confirm.preview_id(), current_user.id) if confirm.validate_on_submit() else None
    if run is None:
        return _import_page(
            ImportForm(), refusal=_("This preview has expired or cannot be found. Upload the file again.")
        )
    saved = dict(run.result or {})
    text, filename = saved["text"], saved["filename"]
    scope, catalog = actor_scope(), get_catalog()
    people = full_feed.leavers(text, scope, current_user.id, catalog)
    if full_feed.digest(people) != saved["leavers"]:
        return _import_page(
            ImportForm(),
            refusal=_(
                "The people to deactivate are no longer those of the preview. Nothing was changed: "
                "upload the file again to see a new preview."
            ),
        )
    if _large(text):
        run.state, run.result = "queued", {"created": 0, "updated": 0, "applied": False}
        record("users.import", filename, None, {"task": run.id, "full_feed": True})
        db.session.commit()
        from ..jobs import import_users_job

        import_users_job(run.id, text, False, current_user.id, leavers_digest=saved["leavers"])
        flash(_("The file is large: it is being imported in the background. Follow it here."), "info")
        return redirect(url_for(".tasks"))
    result = run_import(
        text, catalog, current_app.config["ELEARN_DEFAULT_DUE_DAYS"], grantor=scope, grantor_email=current_user.email
    )
    if not result.applied:  # a row went wrong since the preview (an email taken meanwhile...)
        db.session.rollback()
        return _import_page(ImportForm(), result)
    deactivated = full_feed.deactivate(people)
    record("users.import", filename, None, _import_fields(result))
    record("users.full_feed", filename, None, full_feed.audit_fields(people))
    run.state, run.progress = "done", 100
    run.result = {**_import_fields(result), "unchanged": result.unchanged, "applied": True, "deactivated": deactivated}
    db.session.commit()
    return _import_page(ImportForm(), result, deactivated=deactivated)


def _import_in_background(text: str, form: ImportForm):
    """Large files run as a task; the tasks page shows progress and row errors."""
    from flask_login import current_user

    from ...tasks.runs import new_run
    from ..jobs import import_users_job

    run_id = new_run("import_users", current_user.id)
    record("users.import", form.file.data.filename or "upload", None, {"task": run_id})
    db.session.commit()
    import_users_job(run_id, text, bool(form.valid_only.data), current_user.id)
    flash(_("The file is large: it is being imported in the background. Follow it here."), "info")
    return redirect(url_for(".tasks"))
