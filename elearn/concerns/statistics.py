"""Statistics of the grievance channel for the human-rights report: cases by category x
region x quarter, response times and deadlines kept. The one place small numbers are
hidden (the page and the CSV both show what `mask_table` and `timeliness` leave).

It reads only a case's category, country and dates, never its text or contact, in
two queries; the rest is plain Python on plain values.

Disclosure rule: a count from 1 to SMALLEST_SHOWN - 1 is FEWER; a median or share of
fewer than SMALLEST_SHOWN cases too. A hidden count must not be recoverable from the
totals shown: the entries of a quarter's table with its totals obey one linear equation
per row and column, and a hidden entry can be worked out exactly from the shown ones
if and only if it is a bridge of the graph whose nodes are the rows and columns
(totals included) and whose edges are the hidden entries. So totals are hidden (as
HIDDEN) until no FEWER entry is a bridge: first the total of a row or column in which
an exposed entry is the only one hidden (a row with one small cell hides its total, a
row with two keeps it); where that is not enough, its row's, its column's and the
grand total in turn. What this does not hide: bounds. Two small cells of a row whose
total and other cells are shown add up to a known number; when that number is 2, both
are 1.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from statistics import median

from sqlalchemy import extract, select

from ..extensions import db
from ..months import add_months
from .deadlines import Periods, ack_due, feedback_due, next_due
from .models import Concern

#: a count below this is shown as "fewer than 5", also in the CSV: a human-rights report
#: is public, and in a small category and region a count of 1 points at someone
SMALLEST_SHOWN = 5
#: the region column of cases filed without a country (not a catalog region id)
NO_COUNTRY = "none"
#: the id of a total's row or column in the CSV
TOTAL = "all"
QUARTERS = (1, 2, 3, 4)


class Hidden(Enum):
    FEWER = "fewer"  #: 1 to 4 cases, or a median or share of fewer than 5 cases
    HIDDEN = "hidden"  #: a total that would give a FEWER count away


#: a count as the page and the CSV show it
Count = int | Hidden


@dataclass(frozen=True)
class CaseDates:
    """What statistics read of a case: never its text, contact, site or receipt."""

    category: str
    country: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    feedback_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class CountTable:
    """One quarter's cases by category (rows) and region (columns), masked."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Count]
    row_totals: dict[str, Count]
    column_totals: dict[str, Count]
    total: Count


@dataclass(frozen=True)
class Timeliness:
    """One quarter's response times (cases received in it). None: no case to measure."""

    received: Count  #: the table's grand total, masked as there
    median_days_to_acknowledgement: Decimal | Hidden | None
    median_days_to_feedback: Decimal | Hidden | None
    acknowledged_in_time_percent: int | Hidden | None
    feedback_in_time_percent: int | Hidden | None
    open_past_deadline: Count


@dataclass(frozen=True)
class QuarterStatistics:
    quarter: int
    start: datetime
    counts: CountTable
    times: Timeliness
    #: False: the quarter has not ended, and nothing of it is counted yet
    ended: bool = True


# -- queries ------------------------------------------------------------------


def years_with_cases() -> list[int]:
    """The years (UTC) in which cases were received, newest first."""
    years = db.session.scalars(select(extract("year", Concern.created_at)).distinct())
    return sorted({int(year) for year in years}, reverse=True)


def cases_of_year(year: int) -> list[CaseDates]:
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    rows = db.session.execute(
        select(
            Concern.category,
            Concern.country,
            Concern.created_at,
            Concern.acknowledged_at,
            Concern.feedback_at,
            Concern.closed_at,
        ).where(Concern.created_at >= start, Concern.created_at < end)
    )
    return [CaseDates(*row) for row in rows]


# -- aggregation --------------------------------------------------------------


def shown_count(count: int) -> Count:
    return Hidden.FEWER if 0 < count < SMALLEST_SHOWN else count


def quarter_of(moment: datetime) -> int:
    return (moment.astimezone(UTC).month - 1) // 3 + 1


def region_of(country: str | None, region_for: Callable[[str | None], str]) -> str:
    return region_for(country) if country else NO_COUNTRY


def year_statistics(
    cases: Sequence[CaseDates],
    year: int,
    categories: Sequence[str],
    regions: Sequence[str],
    region_for: Callable[[str | None], str],
    periods: Periods,
    now: datetime,
) -> list[QuarterStatistics]:
    """Q1..Q4 of `year` (by the day received, UTC). Rows: `categories` (the catalog's, in
    its order), then retired ones found in the cases; columns: the `regions` that have a
    case this year, then NO_COUNTRY if a case has none. The same rows and columns in
    every quarter, so the quarters compare."""
    found_categories = {case.category for case in cases}
    rows = tuple(categories) + tuple(sorted(found_categories - set(categories)))
    found_regions = {region_of(case.country, region_for) for case in cases}
    unlisted = sorted(found_regions - set(regions) - {NO_COUNTRY})
    columns = tuple(r for r in regions if r in found_regions) + tuple(unlisted)
    columns += (NO_COUNTRY,) if NO_COUNTRY in found_regions else ()
    by_quarter: dict[int, list[CaseDates]] = defaultdict(list)
    for case in cases:
        by_quarter[quarter_of(case.created_at)].append(case)
    result = []
    # a quarter counts once it has ended: numbers that change day by day would point to
    # the one report of that day
    ended = {quarter for quarter in QUARTERS if add_months(datetime(year, 3 * quarter - 2, 1, tzinfo=UTC), 3) <= now}
    by_quarter = defaultdict(list, {q: c for q, c in by_quarter.items() if q in ended})
    for quarter in QUARTERS:
        quarter_cases = by_quarter[quarter]
        counts = Counter((case.category, region_of(case.country, region_for)) for case in quarter_cases)
        table = mask_table(counts, rows, columns)
        result.append(
            QuarterStatistics(
                quarter=quarter,
                start=datetime(year, 3 * quarter - 2, 1, tzinfo=UTC),
                counts=table,
                times=timeliness(quarter_cases, table.total, periods, now),
                ended=quarter in ended,
            )
        )
    return result


# -- masking the table ---------------------------------------------------------

#: an entry of the table: ("cell", row, column), ("row", row), ("column", column), ("all",)
Entry = tuple[str, ...]
#: a node of the graph: ("row", id), ("column", id), ("totals row",), ("totals column",)
Node = tuple[str, ...]
_TOTALS_ROW: Node = ("totals row",)
_TOTALS_COLUMN: Node = ("totals column",)


def _ends(entry: Entry) -> tuple[Node, Node]:
    """The entry as an edge: its row's node and its column's node."""
    if entry[0] == "cell":
        return ("row", entry[1]), ("column", entry[2])
    if entry[0] == "row":
        return ("row", entry[1]), _TOTALS_COLUMN
    if entry[0] == "column":
        return _TOTALS_ROW, ("column", entry[1])
    return _TOTALS_ROW, _TOTALS_COLUMN


def _is_bridge(entry: Entry, hidden: Iterable[Entry]) -> bool:
    """No other path of hidden entries joins the entry's row and column: it can be worked out."""
    start, goal = _ends(entry)
    neighbours: dict[Node, list[Node]] = defaultdict(list)
    for other in hidden:
        if other != entry:
            a, b = _ends(other)
            neighbours[a].append(b)
            neighbours[b].append(a)
    seen, queue = {start}, deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            return False
        for nxt in neighbours[node]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return True


def _candidates(entry: Entry, hidden: dict[Entry, Hidden]) -> Sequence[Entry]:
    """What to hide next for an exposed entry, in order: every choice closes a cycle
    once the ones before it are hidden too (see the module's rule)."""
    grand: Entry = ("all",)
    cells = [h for h in hidden if h[0] == "cell"]
    if entry[0] == "cell":
        return [("row", entry[1]), ("column", entry[2]), grand]
    if entry[0] == "row":
        return [grand] + [("column", h[2]) for h in cells if h[1] == entry[1]]
    if entry[0] == "column":
        return [grand] + [("row", h[1]) for h in cells if h[2] == entry[1]]
    return [("row", h[1]) for h in cells] + [("column", h[2]) for h in cells]


def _line_total(node: Node) -> Entry:
    """The total of the row or column a node stands for (a row's node and its total's
    entry are the same tuple, ("row", id); the totals' row and column end in the grand total)."""
    return ("all",) if node in (_TOTALS_ROW, _TOTALS_COLUMN) else node


def _next_to_hide(hidden: dict[Entry, Hidden]) -> Entry | None:
    """None when no FEWER entry can be worked out. Else, first, the total of a row or
    column (the totals' row and column included) where an exposed entry is the only one
    hidden; failing that, the next candidate of the first exposed entry."""
    exposed = [e for e, why in hidden.items() if why is Hidden.FEWER and _is_bridge(e, hidden)]
    if not exposed:
        return None
    hidden_in_line = Counter(node for e in hidden for node in _ends(e))
    for entry in exposed:
        for node in _ends(entry):
            if hidden_in_line[node] == 1 and _line_total(node) not in hidden:
                return _line_total(node)
    # the module's rule: an exposed entry always has a candidate still shown
    return next(e for e in _candidates(exposed[0], hidden) if e not in hidden)


def mask_table(counts: dict[tuple[str, str], int], rows: Sequence[str], columns: Sequence[str]) -> CountTable:
    """The table of `counts` with its totals, small counts FEWER and the totals that would
    give one away HIDDEN."""
    values: dict[Entry, int] = {("cell", r, c): counts.get((r, c), 0) for r in rows for c in columns}
    for r in rows:
        values[("row", r)] = sum(counts.get((r, c), 0) for c in columns)
    for c in columns:
        values[("column", c)] = sum(counts.get((r, c), 0) for r in rows)
    values[("all",)] = sum(values[("row", r)] for r in rows)
    hidden = {entry: Hidden.FEWER for entry, value in values.items() if shown_count(value) is Hidden.FEWER}
    while (entry := _next_to_hide(hidden)) is not None:
        hidden[entry] = Hidden.HIDDEN

    def shown(entry: Entry) -> Count:
        return hidden.get(entry, values[entry])

    return CountTable(
        rows=tuple(rows),
        columns=tuple(columns),
        cells={(r, c): shown(("cell", r, c)) for r in rows for c in columns},
        row_totals={r: shown(("row", r)) for r in rows},
        column_totals={c: shown(("column", c)) for c in columns},
        total=shown(("all",)),
    )


# -- response times -----------------------------------------------------------


def _days(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


def _median_days(durations: list[float]) -> Decimal | Hidden | None:
    if not durations:
        return None
    if len(durations) < SMALLEST_SHOWN:
        return Hidden.FEWER
    return Decimal(median(durations)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _percent(kept: list[bool]) -> int | Hidden | None:
    """The share of True in whole percent (half up), of SMALLEST_SHOWN cases or more."""
    if not kept:
        return None
    if len(kept) < SMALLEST_SHOWN:
        return Hidden.FEWER
    return (200 * sum(kept) + len(kept)) // (2 * len(kept))


def deadline_kept(due: datetime, done_at: datetime | None, closed_at: datetime | None, now: datetime) -> bool | None:
    """True: done by the deadline; False: done late, or not done when it passed; None:
    not yet due, or the case was closed before it (closing ends the deadlines, as in
    deadlines.next_due)."""
    if done_at is not None:
        return done_at <= due
    if closed_at is not None and closed_at <= due:
        return None
    return False if due <= now else None


def timeliness(cases: Sequence[CaseDates], received: Count, periods: Periods, now: datetime) -> Timeliness:
    """Days counted from the day the case was received (stored by the day) to the first
    answer (acknowledgement) and to the answer marked as feedback."""
    ack_kept: list[bool] = []
    feedback_kept: list[bool] = []
    past_deadline = 0
    for case in cases:
        acked = deadline_kept(ack_due(case.created_at, periods), case.acknowledged_at, case.closed_at, now)
        if acked is not None:
            ack_kept.append(acked)
        due = feedback_due(case.created_at, case.acknowledged_at, periods)
        answered = deadline_kept(due, case.feedback_at, case.closed_at, now)
        if answered is not None:
            feedback_kept.append(answered)
        open_due = next_due(
            case.created_at, case.acknowledged_at, case.feedback_at, case.closed_at is not None, periods
        )
        if open_due is not None and open_due < now:
            past_deadline += 1
    return Timeliness(
        received=received,
        median_days_to_acknowledgement=_median_days(
            [_days(c.created_at, c.acknowledged_at) for c in cases if c.acknowledged_at is not None]
        ),
        median_days_to_feedback=_median_days(
            [_days(c.created_at, c.feedback_at) for c in cases if c.feedback_at is not None]
        ),
        acknowledged_in_time_percent=_percent(ack_kept),
        feedback_in_time_percent=_percent(feedback_kept),
        open_past_deadline=shown_count(past_deadline),
    )
