"""Supplier sites: who may manage which, creating, opening and closing them, finding
one by its public code."""

from __future__ import annotations

import secrets
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from ..admin.audit import record
from ..admin.scope import place_clause
from ..extensions import db
from ..models import utcnow
from .models import SupplierSite

#: what the audit log keeps of a site
AUDITED = ("supplier_name", "site_name", "country", "languages", "public_code", "closed_at")


def managed_sites() -> Select[SupplierSite]:
    """The sites the signed-in admin manages (admin/scope.place_clause: 403 for an admin
    scoped to departments)."""
    query = select(SupplierSite)
    clause = place_clause(SupplierSite.country)
    return query if clause is None else query.where(clause)


def managed_site_or_404(site_id: int) -> SupplierSite:
    site = db.session.scalar(managed_sites().where(SupplierSite.id == site_id))
    if site is None:  # missing, or outside the admin's regions: they do not see it at all
        abort(404)
    return site


def site_by_code(code: str) -> SupplierSite | None:
    return db.session.scalar(select(SupplierSite).where(SupplierSite.public_code == code[:32]))


def facts(site: SupplierSite) -> dict[str, Any]:
    values = {name: getattr(site, name) for name in AUDITED}
    values["closed_at"] = site.closed_at.isoformat() if site.closed_at else None
    return values


def create_site(supplier_name: str, site_name: str, country: str, languages: list[str]) -> SupplierSite:
    site = SupplierSite(
        public_code=secrets.token_urlsafe(12),
        supplier_name=supplier_name.strip(),
        site_name=site_name.strip(),
        country=country,
        languages=languages,
        created_by=current_user.id,
    )
    db.session.add(site)
    db.session.flush()
    record("supplier_site.create", site.label, None, facts(site))
    return site


def set_open(site: SupplierSite, open_: bool) -> bool:
    """Close or reopen the site's link; False when it already is so."""
    if (site.closed_at is None) == open_:
        return False
    before = facts(site)
    site.closed_at = None if open_ else utcnow()
    record("supplier_site.reopen" if open_ else "supplier_site.close", site.label, before, facts(site))
    return True
