"""A manager's team: the people who name them as manager in the HR feed, directly or
through others, and their current assignments with the one status rule."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import CTE, Select, func, select

from ..catalog import Catalog
from ..models import Assignment, Completion, User
from ..training.learner_status import Status, status_expression


@dataclass(frozen=True)
class TeamFilters:
    course: str | None = None
    status: str | None = None
    direct_only: bool = False

    @classmethod
    def from_args(cls, args, catalog: Catalog) -> TeamFilters:
        """Unknown values are dropped, never passed on to SQL."""
        course = (args.get("course") or "").strip()
        status = (args.get("status") or "").strip()
        return cls(
            course=course if course in catalog.courses else None,
            status=status if status in {s.value for s in Status} else None,
            direct_only=args.get("direct") == "y",
        )


def reports_of(manager: User, direct_only: bool = False) -> CTE:
    """The ids of the manager's active reports: whoever names the manager's email as
    their manager (case-insensitive), then whoever names one of those, and so on. Chains
    go through active people only. UNION (not UNION ALL) keeps a row once, so a chain
    that loops back ends; the manager, met again in such a loop, is left out by in_team.

    The active people with lowered emails are read once (MATERIALIZED): SQLite then
    indexes them for the recursive step by itself (an automatic index), where a join on
    lower(users.manager_email) would scan the table once per person found."""
    people = (
        select(
            User.id.label("id"),
            func.lower(User.email).label("email"),
            func.lower(User.manager_email).label("manager"),
        )
        .where(User.active.is_(True))
        .cte("people")
        .prefix_with("MATERIALIZED")
    )
    first = select(people.c.id, people.c.email).where(people.c.manager == (manager.email or "").lower())
    if direct_only:
        return first.cte("team")
    team = first.cte("team", recursive=True)
    return team.union(select(people.c.id, people.c.email).join(team, people.c.manager == team.c.email))


def in_team(manager: User, direct_only: bool = False) -> Select:
    """SELECT id of the manager's reports (never the manager)."""
    team = reports_of(manager, direct_only)
    return select(team.c.id).where(team.c.id != manager.id)


def team_rows(manager: User, filters: TeamFilters) -> Select:
    """One row per (report, current assignment): only what a manager may see (name,
    department, course, status, due and completion dates), with the number of rows
    that match on every row (one query per page)."""
    status = status_expression(Assignment)
    query = (
        select(
            User.id.label("user_id"),
            User.name,
            User.department,
            Assignment.course_id,
            status,
            Assignment.due_at,
            Completion.completed_at,
            func.count().over().label("matching"),
        )
        .join(User, User.id == Assignment.user_id)
        .outerjoin(Completion, Completion.assignment_id == Assignment.id)
        .where(Assignment.current.is_(True), Assignment.user_id.in_(in_team(manager, filters.direct_only)))
    )
    if filters.course:
        query = query.where(Assignment.course_id == filters.course)
    if filters.status:
        query = query.where(status == filters.status)
    return query.order_by(User.name, User.id, Assignment.course_id)


def not_completed(manager: User, course_id: str, person_id: int | None, direct_only: bool) -> Select:
    """The current assignments of the course with a due date, not completed, of the
    manager's reports (of one of them when person_id is given): SELECT assignment_id,
    email (None: the person has none)."""
    status = status_expression(Assignment)
    query = (
        select(Assignment.id.label("assignment_id"), User.email)
        .join(User, User.id == Assignment.user_id)
        .where(
            Assignment.current.is_(True),
            Assignment.course_id == course_id,
            Assignment.due_at.is_not(None),
            Assignment.user_id.in_(in_team(manager, direct_only)),
            status != Status.COMPLETED.value,
        )
    )
    if person_id is not None:
        query = query.where(Assignment.user_id == person_id)
    return query
