"""Who may make whom what: the one rule for granting roles and scopes.

Every path that creates or changes a person calls `refusal` (the user form, the CSV
import on the page, in a background task and from the command line, activation
codes), and so will every later one (single sign-on group mapping, provisioning, LMS
launches, kiosks):

- an admin without a scope (or the operator at the command line) may do anything;
- an admin scoped to regions and/or departments manages learners inside that scope
  only: they cannot create, change or issue codes to anyone outside it, nor to anyone
  who holds a privileged role, nor give a privileged role, nor set scopes.

Plain Python on plain values (no Flask, no database), so the rule has its own tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: roles that reach other people's data (grievance_reporting: the concern statistics):
#: only an unscoped admin grants or removes them
PRIVILEGED_ROLES = frozenset({"admin", "case_handler", "lead_case_handler", "grievance_reporting"})

#: the roles that work on concern cases (the lead also manages handler groups)
CASE_HANDLER_ROLES = ("case_handler", "lead_case_handler")

#: why a change is refused (stable codes; messages are translated where shown)
OUTSIDE_SCOPE = "outside_scope"
PRIVILEGED_PERSON = "privileged_person"
ROLE_NOT_GRANTABLE = "role_not_grantable"


@dataclass(frozen=True)
class Scope:
    """The people an admin manages: those in one of `regions` (when any are given) and
    in one of `departments` (when any are given). Neither given: everyone."""

    regions: frozenset[str] = frozenset()
    departments: frozenset[str] = frozenset()

    @property
    def unscoped(self) -> bool:
        return not self.regions and not self.departments

    def contains(self, region: str, department: str | None) -> bool:
        return (not self.regions or region in self.regions) and (not self.departments or department in self.departments)


#: the grantor with no limit: an unscoped admin, the operator's command line
UNSCOPED = Scope()


@dataclass(frozen=True)
class Person:
    """What the rule needs to know of a person, as they are or as they would become."""

    roles: frozenset[str]
    region: str
    department: str | None

    @classmethod
    def of(
        cls,
        roles: str | Iterable[str],
        country: str | None,
        department: str | None,
        region_for: Callable[[str | None], str],
    ) -> Person:
        names = roles.split() if isinstance(roles, str) else roles
        return cls(frozenset(names), region_for(country), department)

    @property
    def privileged(self) -> bool:
        return bool(self.roles & PRIVILEGED_ROLES)


def holds_privileged_role(roles: str) -> bool:
    """Whether a person's roles (User.roles, space-separated) include a privileged one: the
    people kiosks, LMS launches and learner-only sessions refuse."""
    return bool(set(roles.split()) & PRIVILEGED_ROLES)


def refusal(grantor: Scope, before: Person | None, after: Person | None = None) -> str | None:
    """None when `grantor` may turn `before` (None: nobody yet) into `after` (None: leave
    the person as they are, e.g. issue them an activation code); otherwise why not."""
    if grantor.unscoped:
        return None
    if before is not None:
        if not grantor.contains(before.region, before.department):
            return OUTSIDE_SCOPE
        if before.privileged:
            return PRIVILEGED_PERSON
    if after is not None:
        if not grantor.contains(after.region, after.department):
            return OUTSIDE_SCOPE
        if after.privileged:
            return ROLE_NOT_GRANTABLE
    return None


SELF_MANAGER = "self_manager"


def names_self_manager(grantor_email: str | None, manager_email: str | None, stored_manager: str | None) -> bool:
    """Whether an admin would make themself someone's manager, which is refused: /team
    would then show them that person's reports, also outside their scope. The HR feed
    says who manages whom; a value already stored for the person stays."""
    new = (manager_email or "").strip().casefold()
    return bool(new) and new == (grantor_email or "").casefold() and (stored_manager or "").casefold() != new


def grantable_roles(grantor: Scope, roles: Iterable[str]) -> tuple[str, ...]:
    """The roles, of those given, that `grantor` may give (what a form offers)."""
    return tuple(role for role in roles if grantor.unscoped or role not in PRIVILEGED_ROLES)


def may_set_scopes(grantor: Scope) -> bool:
    return grantor.unscoped
