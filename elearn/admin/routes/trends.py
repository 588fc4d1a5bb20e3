"""Admin: trends of the completion report (admin/trends.py counts them), with the report's
own filters and the admin's scope; charts and the same numbers as tables."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from babel.dates import format_interval, format_skeleton
from flask import render_template, request, url_for
from flask_babel import gettext as _

from ...auth.roles import role_required
from ...models import utcnow
from ...web import current_locale, current_timezone, get_catalog
from .. import bp
from ..reports import ReportFilters, report_query
from ..scope import actor_clause
from ..trends import PeriodKind, completion_trend, overdue_aging
from .reports import filter_form

#: how a period is named in the chart (short) and in the table (in full), as Babel skeletons
CHART_SKELETONS = {PeriodKind.MONTH: "yMMM", PeriodKind.WEEK: "MMMd"}


def period_kind(value: str | None) -> PeriodKind | None:
    """The `period` argument: months when absent or blank, None when it names neither."""
    value = (value or "").strip() or PeriodKind.MONTH.value
    return PeriodKind(value) if value in {kind.value for kind in PeriodKind} else None


@bp.get("/reports/trends")
@role_required("admin")
def report_trends():
    catalog = get_catalog()
    filters = ReportFilters.from_args(request.args, catalog)
    kind = period_kind(request.args.get("period"))
    # back to the report with the same filters (it has no period; its pages start over)
    report_args: dict[str, Any] = {
        name: value for name, value in request.args.items() if name not in ("period", "page")
    }
    page = {**filter_form(filters), "period": kind, "report_url": url_for("admin.reports", **report_args)}
    if kind is None:
        return render_template("admin/trends.html", **page), 400
    report = report_query(filters, catalog, actor_clause())
    now = utcnow()
    return render_template(
        "admin/trends.html",
        **page,
        trend=completion_trend(report, kind, current_timezone(), now),
        aging=overdue_aging(report, now),
        labels=PeriodLabels(kind, current_locale()),
        days_label=days_label,
    )


class PeriodLabels:
    """A period's name in the admin's language: short under a chart bar, in full in a table."""

    def __init__(self, kind: PeriodKind, locale: str):
        self.kind, self.locale = kind, locale

    def short(self, start: date) -> str:
        return format_skeleton(CHART_SKELETONS[self.kind], start, locale=self.locale)

    def full(self, start: date) -> str:
        if self.kind is PeriodKind.WEEK:
            return format_interval(start, start + timedelta(days=6), "yMMMd", locale=self.locale)
        return format_skeleton("yMMMM", start, locale=self.locale)


def days_label(days: tuple[int, int | None]) -> str:
    """An aging bucket's name: "0–7 days", "31 days or more"."""
    low, high = days
    if high is None:
        return _("%(low)s days or more", low=low)
    return _("%(low)s–%(high)s days", low=low, high=high)
