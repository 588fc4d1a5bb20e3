"""Admin: the completion report page, its charts and its CSV and XLSX exports."""

from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy.orm import Bundle

from ...auth.roles import role_required
from ...extensions import db
from ...models import User
from ...paging import PAGE_SIZE, page_number
from ...training.learner_status import Status
from ...web import current_locale, get_catalog
from .. import bp
from ..audit import record
from ..exports import filter_args, inline_allowed, row_count
from ..reports import COLUMN_LABELS, ReportFilters, report_query, report_row, totals
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
    return render_template(
        "admin/reports.html",
        **filter_form(filters),
        rows=[report_row(r, catalog) for r in pagination.items],
        pagination=pagination,
        args=request.args,
        total=total,
        done=done,
        by_region=by_region,
        by_department=by_department[:15],
        column_labels=COLUMN_LABELS,
        department_label=lambda label: label,
        background_export=not inline_allowed(total),
        inline_rows=current_app.config["ELEARN_EXPORT_INLINE_ROWS"],
        saved_filters=filter_args(filters),
    )


def filter_form(filters: ReportFilters) -> dict:
    """What the report's filters (admin/_report_filters.html) show: the chosen values and
    the choices within the admin's scope. The report page and its trends share them."""
    catalog = get_catalog()
    departments, countries, regions = filter_choices(actor_scope())
    return {
        "filters": filters,
        "courses": catalog.courses,
        "departments": departments,
        "countries": countries,
        "regions": regions,
        "region_name": lambda region: catalog.region_name(region, current_locale()),
        "statuses": [s.value for s in Status],
    }


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


def _to_background():
    """A large export for people is never built within a request (and a GET starts no
    work): back to the report page, whose buttons queue it."""
    flash(_("This report is too large to download at once: prepare the file with the buttons below."), "info")
    query = request.query_string.decode()
    return redirect(url_for(".reports") + ("?" + query if query else ""))


@bp.get("/reports-for-excel.csv")
@role_required("admin")
def report_csv_excel():
    """The same rows for people: headings, statuses and names in the admin's language,
    times in the admin's time zone; streamed like the machine CSV."""
    from ..people_export import PeopleRows, stream_excel_csv

    catalog = get_catalog()
    query, _filters = _query()
    if not inline_allowed(row_count(query)):
        return _to_background()
    record("report.export", "csv-excel", None, dict(request.args))
    db.session.commit()
    rows = stream_excel_csv(_ordered(query), PeopleRows(catalog, current_locale()))
    return Response(
        stream_with_context(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=completions-excel.csv"},
    )


@bp.get("/reports.xlsx")
@role_required("admin")
def report_xlsx():
    from ..people_export import PeopleRows, write_xlsx

    catalog = get_catalog()
    query, _filters = _query()
    if not inline_allowed(row_count(query)):
        return _to_background()
    record("report.export", "xlsx", None, dict(request.args))
    db.session.commit()
    return send_file(
        write_xlsx(_ordered(query), PeopleRows(catalog, current_locale())),
        as_attachment=True,
        download_name="completions.xlsx",
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
