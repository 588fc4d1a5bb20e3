"""Trends of the completion report (issue #17): the completion rate period by period and
the aging of overdue assignments, each counted in the database in one query.

Both take the report's own query (reports.report_query: the filters and the admin's scope
already applied), so the population is exactly the report page's rows: the current
assignment cycle of each (person, course).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_

from ..extensions import db
from ..models import Assignment, Completion
from ..training.learner_status import Status

#: how many periods a trend shows, the current one last
PERIOD_COUNT = 12


class PeriodKind(StrEnum):
    MONTH = "month"
    WEEK = "week"


@dataclass(frozen=True)
class Period:
    """One period of a trend. `start` and `end` are days in the admin's time zone
    (`end` is the day after the period's last); `total` and `completed` are counted at the
    period's end (now, for the current period): the same shape as reports.Bar."""

    start: date
    end: date
    current: bool  #: the period holding today: its end is now
    total: int  #: the population's assignments assigned by then
    completed: int  #: of those, with a completion by then that had not expired by then
    completions: int  #: completions written within the period

    @property
    def label(self) -> date:
        return self.start

    @property
    def rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


def period_starts(kind: PeriodKind, today: date, count: int = PERIOD_COUNT) -> list[date]:
    """The first days of the last `count` periods (the one holding `today` last), then
    the first day of the next period: count + 1 boundaries. Weeks start on Monday
    (ISO 8601), whatever the admin's language."""
    if kind is PeriodKind.WEEK:
        monday = today - timedelta(days=today.weekday())
        return [monday - timedelta(weeks=count - 1 - n) for n in range(count + 1)]
    this_month = today.year * 12 + today.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(this_month - count + 1, this_month + 2)]


def _instant(day: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of `day` in `zone`, in UTC (the database stores UTC)."""
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)


def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many of the rows meet `condition` (COUNT skips the NULL of the others)."""
    return func.count(case((condition, 1)))


def completion_trend(report, kind: PeriodKind, timezone: str, now: datetime) -> list[Period]:
    """The completion rate at the end of each of the last PERIOD_COUNT periods, and the
    completions within each, for the population of `report` (a reports.report_query).

    For a period ending at instant E (midnight in the admin's time zone `timezone` at the
    start of the next period; `now` for the current period):
    - total: the population's assignments with assigned_at < E;
    - completed: of those, the ones whose completion (of that same cycle) has
      completed_at < E and had not expired at E (expires_at is none or after E);
    - rate: completed / total (0 when total is 0);
    - completions: the population's completions with start <= completed_at < E.
    Earlier cycles are not in the population: a person now in a new cycle counts from
    that cycle's assigned_at. One query: three sums per period over the report's rows.
    """
    zone = ZoneInfo(timezone)
    starts = period_starts(kind, now.astimezone(zone).date())
    instants = [_instant(day, zone) for day in starts]
    columns = []
    for begin, end in zip(instants, instants[1:], strict=False):
        as_of = min(end, now)
        valid = or_(Completion.expires_at.is_(None), Completion.expires_at > as_of)
        columns += [
            _counted(Assignment.assigned_at < as_of),
            _counted(and_(Completion.completed_at < as_of, valid)),
            _counted(and_(Completion.completed_at >= begin, Completion.completed_at < as_of)),
        ]
    sums = db.session.execute(report.with_only_columns(*columns, maintain_column_froms=True)).one()
    return [
        Period(
            start=starts[n],
            end=starts[n + 1],
            current=n == len(starts) - 2,
            total=int(sums[3 * n]),
            completed=int(sums[3 * n + 1]),
            completions=int(sums[3 * n + 2]),
        )
        for n in range(len(starts) - 1)
    ]


@dataclass(frozen=True)
class AgingBucket:
    """Overdue assignments overdue by `low` to `high` whole days (`high` None: or more);
    its share is of every overdue assignment."""

    low: int
    high: int | None
    count: int  #: the overdue assignments in this bucket
    total: int  #: every overdue assignment

    @property
    def label(self) -> tuple[int, int | None]:
        return (self.low, self.high)

    @property
    def rate(self) -> float:
        return self.count / self.total if self.total else 0.0


#: (first day, last day) overdue of each aging bucket; the last is open
AGING_DAYS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 30), (31, None))


def overdue_aging(report, now: datetime) -> list[AgingBucket]:
    """The population's assignments whose status (the one status rule, as the report
    selects it) is overdue now, by whole days since their due date: an assignment due
    d days and some hours ago is d days overdue. One query."""
    status = report.selected_columns.status
    due = Assignment.due_at
    columns = []
    for low, high in AGING_DAYS:
        # overdue by at least `low` whole days: due at or before now - low days
        condition = due <= now - timedelta(days=low)
        if high is not None:  # and fewer than high + 1 whole days
            condition = and_(condition, due > now - timedelta(days=high + 1))
        columns.append(_counted(condition))
    counts = db.session.execute(
        report.with_only_columns(*columns, maintain_column_froms=True).where(status == Status.OVERDUE.value)
    ).one()
    total = sum(int(c) for c in counts)
    return [AgingBucket(low, high, int(c), total) for (low, high), c in zip(AGING_DAYS, counts, strict=True)]
