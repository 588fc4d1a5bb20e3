"""What a (possibly scoped) admin may see: the one place scoping is read and turned
into SQL. Who may change whom is auth/grants.py; its Scope.contains and the clause
below say the same thing, in Python and in SQL (tests/test_grants.py checks they agree)."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy import delete, false, or_, select

from ..auth.grants import PRIVILEGED_ROLES, UNSCOPED, Person, Scope
from ..catalog import Catalog
from ..extensions import db
from ..models import User, holds_any_role
from ..web import country_choices, get_catalog
from .models import AdminScope, GeneratedFile


def scope_of(admin_id: int | None) -> Scope:
    """The admin's scope (UNSCOPED when they have none; None: the operator)."""
    if admin_id is None:
        return UNSCOPED
    rows = db.session.execute(select(AdminScope.kind, AdminScope.value).where(AdminScope.admin_id == admin_id)).all()
    return Scope(
        regions=frozenset(v for k, v in rows if k == "region"),
        departments=frozenset(v for k, v in rows if k == "department"),
    )


def set_scope(admin_id: int, scope: Scope) -> None:
    """The admin's new scope; the files made for them under the old one go (an export of
    people now outside the scope must not stay downloadable)."""
    db.session.execute(delete(AdminScope).where(AdminScope.admin_id == admin_id))
    db.session.execute(delete(GeneratedFile).where(GeneratedFile.owner_id == admin_id))
    db.session.add_all(
        [AdminScope(admin_id=admin_id, kind="region", value=v) for v in sorted(scope.regions)]
        + [AdminScope(admin_id=admin_id, kind="department", value=v) for v in sorted(scope.departments)]
    )


def person_of(user: User) -> Person:
    """The person as the grant rule sees them (auth/grants.py)."""
    return Person.of(user.roles, user.country, user.department, get_catalog().region_for)


def region_clause(regions: set[str] | frozenset[str], catalog: Catalog):
    """Catalog.region_for in SQL: users whose work country lies in one of the regions
    (a missing or unmapped country belongs to the catalog's default region)."""
    countries = catalog.countries_in(regions)
    clauses = [User.country.in_(countries) if countries else false()]
    if catalog.default_region in regions:
        clauses += [User.country.is_(None), User.country.not_in(set(catalog.regions))]
    return or_(*clauses)


def scope_clause(scope: Scope, catalog: Catalog):
    """A WHERE clause on User limiting rows to the scope (None: unscoped)."""
    if scope.unscoped:
        return None
    clauses = []
    if scope.regions:
        clauses.append(region_clause(scope.regions, catalog))
    if scope.departments:
        clauses.append(User.department.in_(scope.departments))
    return clauses[0] if len(clauses) == 1 else clauses[0] & clauses[1]


def actor_scope() -> Scope:
    """The signed-in admin's scope, read once per request (auth/grants.py says what it
    allows)."""
    if "admin_scope" not in g:
        g.admin_scope = scope_of(current_user.id)
    return g.admin_scope


def actor_clause():
    """A WHERE clause on User limiting rows to the signed-in admin's scope (None: unscoped)."""
    return scope_clause(actor_scope(), get_catalog())


def place_clause(country):
    """The one rule for places (kiosks, supplier sites), as a WHERE clause on the place's
    country column: an unscoped admin manages every place (None), a region-scoped admin
    those in their regions. A place has no department: a department-scoped admin manages
    none of them and gets 403."""
    scope = actor_scope()
    if scope.departments:
        abort(403)
    if not scope.regions:
        return None
    # A place's country is one of the catalog's countries (its form): each lies in a region.
    return country.in_(get_catalog().countries_in(scope.regions))


def require_unscoped() -> None:
    """403 unless the signed-in admin has no scope: for what reaches every person (API
    tokens, the audit log, the xAPI export, tasks that touch everyone)."""
    if not actor_scope().unscoped:
        abort(403)


def filter_choices(scope: Scope):
    """The department, country and region lists of the filters: only what is in scope."""
    catalog = get_catalog()
    regions = [r for r in catalog.region_ids if not scope.regions or r in scope.regions]
    countries = [
        (code, name)
        for code, name in country_choices()
        if not scope.regions or catalog.region_for(code) in scope.regions
    ]
    departments = select(User.department).distinct().where(User.department.is_not(None))
    clause = scope_clause(scope, catalog)
    if clause is not None:
        departments = departments.where(clause)
    return db.session.scalars(departments.order_by(User.department)).all(), countries, regions


def not_privileged():
    """Users who hold no privileged role (roles are a space-separated list)."""
    return ~holds_any_role(PRIVILEGED_ROLES)
