"""The grievance channel's statistics for the human-rights report (statistics.py counts
and masks them): case handlers, and admins holding the grievance_reporting role. Numbers
only: no case, case id or link to one."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from babel.dates import format_date, format_skeleton
from flask import Response, current_app, render_template, request
from flask_babel import gettext as _

from ..admin.cells import safe_cell
from ..auth.roles import role_required
from ..models import utcnow
from ..web import current_locale, get_catalog
from . import bp
from .assignment import HANDLER_ROLES
from .categories import category_name
from .deadlines import Periods
from .statistics import (
    NO_COUNTRY,
    SMALLEST_SHOWN,
    TOTAL,
    Hidden,
    QuarterStatistics,
    cases_of_year,
    year_statistics,
    years_with_cases,
)

REPORTING_ROLE = "grievance_reporting"
CSV_COLUMNS = (
    "quarter",
    "category_id",
    "category_name",
    "region_id",
    "region_name",
    "received",
    "median_days_to_acknowledgement",
    "median_days_to_feedback",
    "acknowledged_in_time_percent",
    "feedback_in_time_percent",
    "open_past_deadline",
)


def chosen_year(value: str | None, offered: list[int]) -> int | None:
    """The `year` argument: this year when absent or blank, None when not one offered."""
    value = (value or "").strip()
    if not value:
        return utcnow().year
    return int(value) if value.isascii() and value.isdigit() and int(value) in offered else None


def region_label(region: str) -> str:
    if region == NO_COUNTRY:
        return _("Country not given")
    return get_catalog().region_name(region, current_locale())


def _statistics() -> tuple[int | None, list[int], list[QuarterStatistics]]:
    """The year asked for, the years offered (with cases, and this one) and its quarters."""
    offered = sorted({*years_with_cases(), utcnow().year}, reverse=True)
    year = chosen_year(request.args.get("year"), offered)
    if year is None:
        return None, offered, []
    catalog = get_catalog()
    quarters = year_statistics(
        cases_of_year(year),
        year,
        list(catalog.concern_categories),
        catalog.region_ids,
        catalog.region_for,
        Periods.from_config(current_app.config),
        utcnow(),
    )
    return year, offered, quarters


def _page(year: int | None, offered: list[int], quarters: list[QuarterStatistics]):
    locale = current_locale()
    page = render_template(
        "concerns/statistics.html",
        year=year,
        years=offered,
        quarters=quarters,
        quarter_short=lambda q: format_date(q.start, "QQQ", locale=locale),
        quarter_long=lambda q: format_skeleton("yQQQQ", q.start, locale=locale),
        category_name=category_name,
        region_label=region_label,
        smallest=SMALLEST_SHOWN,
    )
    return page if year is not None else (page, 400)


@bp.get("/cases/statistics")
@role_required(*HANDLER_ROLES, REPORTING_ROLE)
def statistics():
    return _page(*_statistics())


def csv_value(value: object) -> str:
    """A number as the CSV writes it: FEWER as "<5", a hidden total as "hidden"."""
    if value is None:
        return ""
    if value is Hidden.FEWER:
        return f"<{SMALLEST_SHOWN}"
    if value is Hidden.HIDDEN:
        return "hidden"
    return str(value)


def csv_rows(year: int, quarter: QuarterStatistics) -> Iterator[list[str]]:
    """Long format: the quarter's cells, its category totals (region "all"), its region
    totals (category "all"), then its total with the response times."""
    table, t = quarter.counts, quarter.times
    categories = {c: safe_cell(category_name(c)) for c in table.rows} | {TOTAL: _("All categories")}
    regions = {r: safe_cell(region_label(r)) for r in table.columns} | {TOTAL: _("All regions")}

    def row(category: str, region: str, *values: object) -> list[str]:
        cells = [f"{year}-Q{quarter.quarter}", category, categories[category], region, regions[region]]
        cells += [csv_value(value) for value in values]
        return cells + [""] * (len(CSV_COLUMNS) - len(cells))

    for category in table.rows:
        yield from (row(category, region, table.cells[category, region]) for region in table.columns)
        yield row(category, TOTAL, table.row_totals[category])
    yield from (row(TOTAL, region, table.column_totals[region]) for region in table.columns)
    yield row(
        TOTAL,
        TOTAL,
        t.received,
        t.median_days_to_acknowledgement,
        t.median_days_to_feedback,
        t.acknowledged_in_time_percent,
        t.feedback_in_time_percent,
        t.open_past_deadline,
    )


@bp.get("/cases/statistics.csv")
@role_required(*HANDLER_ROLES, REPORTING_ROLE)
def statistics_csv():
    year, offered, quarters = _statistics()
    if year is None:
        return _page(year, offered, quarters)
    buffer = io.StringIO()
    # a byte order mark, else Excel reads the translated names in a legacy code page
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for quarter in quarters:
        writer.writerows(csv_rows(year, quarter))
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=grievance-statistics-{year}.csv"},
    )
