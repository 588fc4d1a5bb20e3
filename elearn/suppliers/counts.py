"""A supplier site's anonymous counts: written one atomic statement at a time, read
back by language and by month with every count under SMALLEST_SHOWN masked.

The counts are unverified: the course keeps no record of who took it, so one person
can start or complete it more than once (another browser, cleared cookies)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..extensions import db
from ..models import utcnow
from .models import SupplierCount

#: a count below this is shown as "fewer than 5", also in the CSV: where few people
#: work, a small number can point at someone (the one Arabic speaker of a site)
SMALLEST_SHOWN = 5


def add_to_counts(site_id: int, locale: str, *, started: int = 0, completed: int = 0) -> None:
    """Add to this month's row of the site and language, creating it when missing: one
    INSERT ... ON CONFLICT DO UPDATE, so two workers finishing at once both count
    (PostgreSQL and SQLite do the addition in the row itself). Commits."""
    insert = (postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert)(SupplierCount)
    statement = insert.values(
        site_id=site_id, month=utcnow().strftime("%Y-%m"), locale=locale, started=started, completed=completed
    ).on_conflict_do_update(
        index_elements=["site_id", "month", "locale"],
        set_={
            "started": SupplierCount.started + insert.excluded.started,
            "completed": SupplierCount.completed + insert.excluded.completed,
        },
    )
    db.session.execute(statement)
    db.session.commit()


class Masked(Enum):
    FEWER = "fewer"  #: under SMALLEST_SHOWN: shown as "fewer than 5"
    HIDDEN = "hidden"  #: not small, but with the total it would give away the one small count


#: a count as pages and the CSV show it
Shown = int | Masked


def masked_breakdown(counts: dict[str, int], total: int) -> dict[str, Shown]:
    """The one masking rule, for one breakdown (by language, or by month) of a total that
    is shown: every count under SMALLEST_SHOWN is FEWER. When that leaves a single small
    count, the total minus the others would tell it: the smallest other is HIDDEN too."""
    result: dict[str, Shown] = {k: n if n >= SMALLEST_SHOWN else Masked.FEWER for k, n in counts.items()}
    small = [k for k, n in result.items() if n is Masked.FEWER]
    others = sorted((n, k) for k, n in counts.items() if k not in small)
    if len(small) == 1 and total >= SMALLEST_SHOWN and others:
        result[others[0][1]] = Masked.HIDDEN
    return result


@dataclass(frozen=True)
class Tally:
    key: str  #: a locale, a month ("YYYY-MM"), or "" for the site's total
    started: Shown
    completed: Shown


@dataclass(frozen=True)
class SiteCounts:
    total: Tally
    by_language: tuple[Tally, ...]
    by_month: tuple[Tally, ...]  #: latest month first


def tally(rows: Iterable[tuple[str, str, int, int]]) -> SiteCounts:
    """(month, locale, started, completed) rows of one site -> its totals by language and
    by month, added up first and masked after (masked_breakdown)."""
    by_language: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_month: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    total = [0, 0]
    for month, locale, started, completed in rows:
        for sums in (by_language[locale], by_month[month], total):
            sums[0] += started
            sums[1] += completed

    def breakdown(sums: dict[str, list[int]], newest_first: bool = False) -> tuple[Tally, ...]:
        started, completed = (masked_breakdown({k: v[i] for k, v in sums.items()}, total[i]) for i in (0, 1))
        return tuple(Tally(k, started[k], completed[k]) for k in sorted(sums, reverse=newest_first))

    (whole,) = breakdown({"": total})
    return SiteCounts(whole, breakdown(by_language), breakdown(by_month, newest_first=True))


def counts_of(site_ids: Iterable[int]) -> dict[int, SiteCounts]:
    """Every listed site's counts, in one query (a site without rows has none)."""
    rows: dict[int, list[tuple[str, str, int, int]]] = {site_id: [] for site_id in site_ids}
    if rows:
        found = db.session.execute(
            select(
                SupplierCount.site_id,
                SupplierCount.month,
                SupplierCount.locale,
                SupplierCount.started,
                SupplierCount.completed,
            ).where(SupplierCount.site_id.in_(rows))
        )
        for site_id, month, locale, started, completed in found:
            rows[site_id].append((month, locale, started, completed))
    return {site_id: tally(site_rows) for site_id, site_rows in rows.items()}
