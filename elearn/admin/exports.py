"""Report exports made away from the web request: the background XLSX / CSV for Excel
of a large report, and the same files for scheduled reports (admin/subscriptions.py).

Each is built when the task runs, with the admin's scope read then (a scope narrowed
meanwhile applies), in the admin's language and time zone, and kept as a
GeneratedFile (admin/generated_files.py) or sent by email.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date
from typing import NamedTuple

from flask import current_app, g
from flask_babel import force_locale
from huey import crontab
from sqlalchemy import func, select

from ..extensions import db
from ..models import User
from ..tasks.queue import huey
from ..tasks.runs import app_context, tracked, update
from .generated_files import purge_expired, store_file
from .reports import ReportFilters, report_query
from .scope import scope_clause, scope_of


class ExportFormat(NamedTuple):
    file_name: str
    content_type: str


#: the exports for people that may run in the background: format -> file name and type
FORMATS = {
    "xlsx": ExportFormat("completions.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv-excel": ExportFormat("completions-excel.csv", "text/csv; charset=utf-8"),
}


def filter_args(filters: ReportFilters) -> dict[str, str]:
    """The filters as the report page's arguments: saved with a task or a subscription and
    read again by ReportFilters.from_args when it runs (a course gone since is dropped)."""
    return {
        name: value.isoformat() if isinstance(value, date) else value
        for name, value in asdict(filters).items()
        if value
    }


def row_count(query) -> int:
    """The report's rows, counted by the database in one query."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0


def inline_allowed(rows: int) -> bool:
    """The one threshold: an export for people of more rows is made in the background."""
    return rows <= current_app.config["ELEARN_EXPORT_INLINE_ROWS"]


def may_export(admin: User | None) -> bool:
    """The person who asked is still an active admin (checked when the task runs)."""
    return admin is not None and admin.active and admin.has_role("admin")


@contextmanager
def in_language(locale: str) -> Iterator[None]:
    """A fresh app context speaking `locale`: gettext through Flask-Babel, country names
    through web.current_locale (which reads g.locale outside a request). Fresh, so the
    worker thread's long-lived context never keeps one admin's language for the next task."""
    with current_app.app_context(), force_locale(locale):
        g.locale = locale
        yield


def scoped_report(args: dict, admin_id: int):
    """The report filtered by `args`, limited to the admin's scope as it is now."""
    catalog = current_app.extensions["elearn_catalog"]
    return report_query(ReportFilters.from_args(args, catalog), catalog, scope_clause(scope_of(admin_id), catalog))


def build_report(
    fmt: str,
    admin_id: int,
    args: dict,
    locale: str,
    timezone: str | None,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """The file's bytes: scoped_report in the admin's language and time zone. Call inside
    in_language(locale)."""
    from .people_export import PeopleRows, stream_excel_csv, write_xlsx

    catalog = current_app.extensions["elearn_catalog"]
    query = scoped_report(args, admin_id)
    ordered = query.order_by(User.employee_id, query.selected_columns.course_id)
    people = PeopleRows(catalog, locale, timezone)
    if fmt == "xlsx":
        return write_xlsx(ordered, people, progress).read()
    chunks = []
    # stream_rows yields once per 2,000 rows from the cursor: progress follows the chunks
    for index, chunk in enumerate(stream_excel_csv(ordered, people)):
        chunks.append(chunk)
        if progress is not None:
            progress(index * 2000)
    return "".join(chunks).encode("utf-8")


@huey.task(context=True)
def export_report_job(run_id: int, admin_id: int, fmt: str, args: dict, locale: str, timezone: str, task=None):
    """A large export from the report page: progress on its TaskRun row, the file kept for
    its requester (result: {"file": id, "rows": n})."""
    with app_context(), tracked(run_id, 0):
        with in_language(locale):
            if not may_export(db.session.get(User, admin_id)):
                raise PermissionError("the admin who asked for this export may no longer export")
            total = row_count(scoped_report(args, admin_id))

            def progress(rows: int) -> None:
                update(run_id, progress=min(99, rows * 100 // max(total, 1)))

            data = build_report(fmt, admin_id, args, locale, timezone, progress)
            kind = FORMATS[fmt]
            file_id = store_file(admin_id, run_id, kind.file_name, kind.content_type, data)
            db.session.commit()
        update(run_id, result={"file": file_id, "rows": total, "format": fmt})


@huey.periodic_task(crontab(minute="15"))
def purge_generated_files() -> None:
    """Expired generated files leave the database every hour."""
    with app_context():
        purge_expired()
        db.session.commit()
