"""Admin: the completion report page, its charts and its CSV and XLSX exports."""

from __future__ import annotations

import tempfile

from flask import Response, render_template, request, send_file, stream_with_context
from sqlalchemy.orm import Bundle

from ...auth.roles import role_required
from ...extensions import db
from ...models import User
from ...paging import PAGE_SIZE, page_number
from ...training.learner_status import Status
from ...web import current_locale, get_catalog
from .. import bp
from ..audit import record
from ..cells import safe_cell
from ..reports import COLUMNS, ReportFilters, report_query, report_row, totals
from ..scope import actor_clause, actor_scope, filter_choices


def _query():
    catalog = get_catalog()
    filters = ReportFilters.from_args(request.args, catalog)
    return report_query(filters, catalog, actor_clause()), filters


def _ordered(query):
    return query.order_by(User.employee_id, query.selected_columns.course_id)


@bp.get("/reports")
@role_required("admin")
def reports():
    catalog = get_catalog()
    query, filters = _query()
    by_region, by_department, total, done = totals(query, catalog)
    # db.paginate yields one value per row: the report's columns travel as one Bundle.
    # The total is already counted by totals(), so paginate does not count again.
    rows = _ordered(query).with_only_columns(Bundle("row", *query.selected_columns), maintain_column_froms=True)
    pagination = db.paginate(rows, page=page_number(), per_page=PAGE_SIZE, error_out=False, count=False)
    pagination.total = total
    departments, countries, regions = filter_choices(actor_scope())
    return render_template(
        "admin/reports.html",
        rows=[report_row(r, catalog) for r in pagination.items],
        pagination=pagination,
        filters=filters,
        args=request.args,
        total=total,
        done=done,
        by_region=by_region,
        by_department=by_department[:15],
        courses=catalog.courses,
        departments=departments,
        countries=countries,
        regions=regions,
        region_name=lambda region: catalog.region_name(region, current_locale()),
        statuses=[s.value for s in Status],
        department_label=lambda label: label,
    )


@bp.get("/reports.csv")
@role_required("admin")
def report_csv():
    """Streamed row by row from a server-side cursor: memory stays flat at any size."""
    catalog = get_catalog()
    query, _filters = _query()
    record("report.export", "csv", None, dict(request.args))
    db.session.commit()
    from ..csv_export import stream_csv

    rows = stream_csv(query, _ordered(query), catalog)
    return Response(
        stream_with_context(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=completions.csv"},
    )


@bp.get("/reports.xlsx")
@role_required("admin")
def report_xlsx():
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    catalog = get_catalog()
    query, _filters = _query()
    record("report.export", "xlsx", None, dict(request.args))
    db.session.commit()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("completions")
    # a sheet people read: the header stays in view, every column filters, widths fit
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = XLSX_WIDTHS.get(name, 14)
    sheet.append(list(COLUMNS))
    rows = 1
    for chunk in db.session.execute(_ordered(query).execution_options(yield_per=2000)).partitions():
        for row in chunk:
            values = report_row(row, catalog)
            sheet.append([_xlsx_cell(values[c]) for c in COLUMNS])
        rows += len(chunk)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{rows}"
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    workbook.save(handle)
    handle.seek(0)
    return send_file(
        handle,
        as_attachment=True,
        download_name="completions.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


#: column widths in characters (dates and times: 19; the rest: 14)
XLSX_WIDTHS = {
    "name": 28,
    "department": 18,
    "course_id": 24,
    "due_at": 19,
    "completed_at": 19,
    "expires_at": 19,
    "certificate_code": 22,
    "completed_region": 16,
}


def _xlsx_cell(value):
    if value is None:
        return None
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones: values are UTC
    return safe_cell(value) if isinstance(value, str) else value
