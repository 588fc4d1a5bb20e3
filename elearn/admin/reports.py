"""The completion report: one query, every filter, status from the one status rule."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ..catalog import Catalog
from ..extensions import db
from ..i18n import LOCALES
from ..models import Assignment, Completion, User
from ..training.learner_status import Status, status_expression
from .scope import region_clause

COLUMNS = (
    "employee_id",
    "name",
    "department",
    "country",
    "region",
    "locale",
    "course_id",
    "status",
    "due_at",
    "completed_at",
    "score",
    "course_version",
    "certificate_code",
    "expires_at",
    "completed_region",  #: the region whose module the person read (the region of today's country may differ)
    "attestation",  #: the course's final statement the person confirmed (content/attestations.yaml id)
    "attestation_sha256",  #: the SHA-256 of the exact text they were shown
)

#: each column's heading where a person reads it: the report page's table, the CSV for Excel, XLSX
COLUMN_LABELS = {
    "employee_id": _l("Employee ID"),
    "name": _l("Name"),
    "department": _l("Department"),
    "country": _l("Country"),
    "region": _l("Region"),
    "locale": _l("Language"),
    "course_id": _l("Course"),
    "status": _l("Status"),
    "due_at": _l("Due"),
    "completed_at": _l("Completed on"),
    "score": _l("Score"),
    "course_version": _l("Course version"),
    "certificate_code": _l("Certificate"),
    "expires_at": _l("Valid until"),
    "completed_region": _l("Region of the module read"),
    "attestation": _l("Statement confirmed"),
    "attestation_sha256": _l("Statement text (SHA-256)"),
}


@dataclass
class ReportFilters:
    course: str | None = None
    department: str | None = None
    country: str | None = None
    region: str | None = None
    locale: str | None = None
    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    completed_from: date | None = None
    completed_to: date | None = None

    @classmethod
    def from_args(cls, args, catalog: Catalog) -> ReportFilters:
        """Unknown values are dropped, never passed on to SQL text."""

        def pick(name, allowed):
            value = (args.get(name) or "").strip()
            return value if value in allowed else None

        return cls(
            course=pick("course", catalog.courses),
            department=(args.get("department") or "").strip()[:120] or None,
            country=pick("country", catalog.regions) if args.get("country") else None,
            region=pick("region", catalog.region_ids),
            locale=pick("locale", LOCALES),
            status=pick("status", {s.value for s in Status}),
            due_from=_date(args.get("due_from")),
            due_to=_date(args.get("due_to")),
            completed_from=_date(args.get("completed_from")),
            completed_to=_date(args.get("completed_to")),
        )


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10]) if value else None
    except ValueError:
        return None


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def report_query(filters: ReportFilters, catalog: Catalog, scope_clause=None):
    """Rows of (current assignment, user, completion of this cycle, status)."""
    status = status_expression(Assignment)
    locale = func.coalesce(User.chosen_locale, User.hr_locale, "en")
    query = (
        select(
            User.employee_id,
            User.name,
            User.department,
            User.country,
            locale.label("locale"),
            Assignment.course_id,
            status,
            Assignment.due_at,
            Completion.completed_at,
            Completion.score,
            Completion.course_version,
            Completion.certificate_code,
            Completion.expires_at,
            Assignment.id.label("assignment_id"),
            Completion.region.label("completed_region"),
            Completion.attestation_id,
            Completion.attestation_hash,
        )
        .join(User, User.id == Assignment.user_id)
        .outerjoin(Completion, Completion.assignment_id == Assignment.id)
        .where(Assignment.current.is_(True))
    )
    if scope_clause is not None:
        query = query.where(scope_clause)
    f = filters
    if f.course:
        query = query.where(Assignment.course_id == f.course)
    if f.department:
        query = query.where(User.department == f.department)
    if f.country:
        query = query.where(User.country == f.country)
    if f.region:
        query = query.where(region_clause({f.region}, catalog))
    if f.locale:
        query = query.where(locale == f.locale)
    if f.status:
        query = query.where(status == f.status)
    if f.due_from:
        query = query.where(Assignment.due_at >= _start(f.due_from))
    if f.due_to:
        query = query.where(Assignment.due_at < _start(f.due_to + timedelta(days=1)))
    if f.completed_from:
        query = query.where(Completion.completed_at >= _start(f.completed_from))
    if f.completed_to:
        query = query.where(Completion.completed_at < _start(f.completed_to + timedelta(days=1)))
    return query


def report_row(row, catalog: Catalog) -> dict:
    return {
        "employee_id": row.employee_id,
        "name": row.name,
        "department": row.department,
        "country": row.country,
        "region": catalog.region_for(row.country),
        "locale": row.locale,
        "course_id": row.course_id,
        "status": row.status,
        "due_at": row.due_at,
        "completed_at": row.completed_at,
        "score": row.score,
        "course_version": row.course_version,
        "certificate_code": row.certificate_code,
        "expires_at": row.expires_at,
        "completed_region": row.completed_region,
        "attestation": row.attestation_id,
        "attestation_sha256": row.attestation_hash,
    }


@dataclass(frozen=True)
class Bar:
    label: str
    total: int
    completed: int

    @property
    def rate(self) -> float:
        return self.completed / self.total if self.total else 0.0


def totals(query, catalog: Catalog) -> tuple[list[Bar], list[Bar], int, int]:
    """Completion by region and by department, counted in the database."""
    sub = query.subquery()
    rows = db.session.execute(
        select(
            sub.c.country,
            sub.c.department,
            func.count().label("n"),
            func.sum(and_(sub.c.status == Status.COMPLETED.value).cast(db.Integer)).label("done"),
        ).group_by(sub.c.country, sub.c.department)
    ).all()
    by_region: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_department: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for country, department, n, done in rows:
        for bucket, key in ((by_region, catalog.region_for(country)), (by_department, department or "–")):
            bucket[key][0] += n
            bucket[key][1] += int(done or 0)

    def bars(bucket):
        return sorted((Bar(k, v[0], v[1]) for k, v in bucket.items()), key=lambda b: (-b.total, b.label))

    total = sum(v[0] for v in by_region.values())
    done = sum(v[1] for v in by_region.values())
    return bars(by_region), bars(by_department), total, done
