"""Who works on which case: the one rule for routing a new case to a handler group and
for which cases a handler sees (queue, case pages, attachments, reminders).

- A new case goes to the first group (by id) whose regions and categories both match
  it (an empty list matches anything; a group limited to regions needs a known
  country), else to the group marked default, else to no group.
- Lead case handlers see every case; other handlers see the cases of their groups and
  the cases assigned to them; a handler in no group sees the cases in no group (a
  company that never sets up groups keeps one team that sees everything).
- Nobody sees a case they declared a conflict of interest on.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import ColumnElement, and_, exists, false, or_, select

from ..auth.grants import CASE_HANDLER_ROLES
from ..extensions import db
from ..models import User, holds_any_role
from .models import CaseConflict, Concern, HandlerGroup, handler_group_members

LEAD = "lead_case_handler"
HANDLER_ROLES = CASE_HANDLER_ROLES


def handles_cases(user) -> bool:
    return any(user.has_role(role) for role in HANDLER_ROLES)


def is_lead(user) -> bool:
    return user.has_role(LEAD)


def group_ids_of(user_id: int) -> list[int]:
    return list(
        db.session.scalars(select(handler_group_members.c.group_id).where(handler_group_members.c.user_id == user_id))
    )


def visible_to(user) -> ColumnElement[bool]:
    """A WHERE clause on Concern: the cases `user` may see."""
    if not handles_cases(user):
        return false()
    not_conflicted = ~exists().where(CaseConflict.concern_id == Concern.id, CaseConflict.user_id == user.id)
    if is_lead(user):
        return not_conflicted
    groups = group_ids_of(user.id)
    in_groups = Concern.group_id.in_(groups) if groups else Concern.group_id.is_(None)
    return and_(or_(in_groups, Concern.assignee_id == user.id), not_conflicted)


def case_handlers(excluding_conflicts_of: int | None = None) -> list[User]:
    """Active people who handle cases (by name); with a case id, not those who declared
    a conflict on it."""
    query = select(User).where(User.active.is_(True), holds_any_role(HANDLER_ROLES))
    if excluding_conflicts_of is not None:
        query = query.where(
            ~exists().where(CaseConflict.concern_id == excluding_conflicts_of, CaseConflict.user_id == User.id)
        )
    return list(db.session.scalars(query.order_by(User.name)))


def route_case(country: str | None, category: str, region_for: Callable[[str | None], str]) -> int | None:
    """The group a new case goes to (see the module's rule)."""
    region = region_for(country) if country else None
    default = None
    for group in db.session.scalars(select(HandlerGroup).order_by(HandlerGroup.id)):
        if group.is_default:
            default = default or group.id
            continue
        regions, categories = group.regions.split(), group.categories.split()
        if regions and region not in regions:
            continue
        if categories and category not in categories:
            continue
        return group.id
    return default
