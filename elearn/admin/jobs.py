"""Admin's background jobs (run by `elearn worker`, tracked on the tasks page)."""

from __future__ import annotations

from ..extensions import db
from ..models import User
from ..tasks.queue import huey
from ..tasks.runs import app_context, tracked, update
from . import full_feed
from .audit import record
from .importer import run_import
from .scope import scope_of


@huey.task(context=True)
def import_users_job(
    run_id: int,
    text: str,
    valid_only: bool,
    admin_id: int | None = None,
    task=None,
    leavers_digest: str | None = None,
):
    """A large upload from the admin page, with progress on its TaskRun row. The
    importing admin's scope is read when the task runs, so a scope narrowed meanwhile
    applies. leavers_digest: a confirmed full-feed preview (admin/full_feed.py); the
    people it named are deactivated after the rows, in the same transaction, and
    nothing is imported if they are no longer the same people."""
    with app_context() as app, tracked(run_id, 0):
        admin = db.session.get(User, admin_id) if admin_id is not None else None
        if admin_id is not None and (admin is None or not admin.active or not admin.has_role("admin")):
            raise PermissionError("the admin who started this import may no longer import")

        def progress(rows):
            total = max(len(rows), 1)
            for index, row in enumerate(rows):
                if index % 500 == 0:
                    update(run_id, progress=int(index * 100 / total))
                yield row

        catalog = app.extensions["elearn_catalog"]
        grantor = scope_of(admin_id)
        people = None
        if leavers_digest is not None:
            people = full_feed.leavers(text, grantor, admin_id, catalog)
            if full_feed.digest(people) != leavers_digest:
                raise PermissionError("the people to deactivate changed since the preview: nothing was imported")
        result = run_import(
            text,
            catalog,
            app.config["ELEARN_DEFAULT_DUE_DAYS"],
            valid_only=valid_only,
            progress=progress,
            grantor=grantor,
            grantor_email=admin.email if admin is not None else None,
        )
        deactivated = 0
        if not result.applied:
            db.session.rollback()
        else:
            if people is not None:
                deactivated = full_feed.deactivate(people)
                record("users.full_feed", f"task {run_id}", None, full_feed.audit_fields(people), actor_id=admin_id)
            db.session.commit()
        update(
            run_id,
            result={
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "applied": result.applied,
                "deactivated": deactivated,
                "errors": [[e.row, e.code, e.value] for e in result.errors[:500]],
            },
        )
