"""What a (possibly scoped) admin may see: the one place scoping is applied."""
from __future__ import annotations

from sqlalchemy import false, or_, select

from ..extensions import db
from ..models import User
from .models import AdminScope


def scopes_of(admin: User) -> dict[str, set[str]]:
    rows = db.session.execute(select(AdminScope.kind, AdminScope.value)
                              .where(AdminScope.admin_id == admin.id)).all()
    result: dict[str, set[str]] = {"region": set(), "department": set()}
    for kind, value in rows:
        result.setdefault(kind, set()).add(value)
    return result


def countries_of_regions(regions: set[str], region_map: dict[str, str]) -> set[str]:
    return {country for country, region in region_map.items() if region in regions}


def scope_filter(admin: User, region_map: dict[str, str]):
    """A WHERE clause on User limiting rows to the admin's scope (None: unscoped)."""
    scopes = scopes_of(admin)
    if not scopes["region"] and not scopes["department"]:
        return None
    clauses = []
    if scopes["region"]:
        countries = countries_of_regions(scopes["region"], region_map)
        clauses.append(User.country.in_(countries) if countries else false())
        if "global" in scopes["region"]:
            # Unlisted or missing countries belong to the global region.
            clauses.append(User.country.is_(None))
            clauses.append(User.country.not_in(set(region_map)))
    if scopes["department"]:
        clauses.append(User.department.in_(scopes["department"]))
    # Region and department scopes combine: a user must fall inside each kind given.
    if scopes["region"] and scopes["department"]:
        region_clause = or_(*clauses[:-1])
        return region_clause & clauses[-1]
    return or_(*clauses)


def in_scope(admin: User, user: User, region_map: dict[str, str]) -> bool:
    clause = scope_filter(admin, region_map)
    if clause is None:
        return True
    return db.session.scalar(select(User.id).where(User.id == user.id, clause)) is not None
