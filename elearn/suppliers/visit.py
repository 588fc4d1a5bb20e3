"""One browser's visit of a supplier site's course, kept in Flask's signed session
cookie under one key and nowhere else: which site, the modules read, whether the
course was started and passed here. It never names the person; the database only
counts (counts.py). The session is signed, so the browser can replay its own older
state but never forge one.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date

from flask import request, session

from ..i18n import LOCALE_COOKIE, supported
from ..models import utcnow
from .models import SupplierSite
from .sites import site_by_code

#: session key: {"site": public code, "visitor": random key, "read": [module ids],
#: "started": bool, "passed_on": ISO date or None}
VISIT_KEY = "supplier_visit"


@dataclass(frozen=True)
class Visit:
    site: str  #: the site's public code: a browser follows one site's course at a time
    visitor: str  #: random, binds this browser's quiz tokens to it (quizflow.issue_attempt)
    read: frozenset[str]  #: acknowledged module ids
    started: bool  #: counted as started (counts.py) once per browser and site
    passed_on: date | None  #: the day (UTC) the quiz was first passed here; counted once

    @property
    def quiz_owner(self) -> str:
        return f"supplier:{self.site}:{self.visitor}"


def visit_of(site: SupplierSite) -> Visit:
    """This browser's visit of the site, or a new one (a visit of another site is replaced)."""
    saved = session.get(VISIT_KEY)
    if isinstance(saved, dict) and saved.get("site") == site.public_code:
        try:
            return Visit(
                site=site.public_code,
                visitor=str(saved["visitor"]),
                read=frozenset(str(m) for m in saved["read"]),
                started=bool(saved["started"]),
                passed_on=date.fromisoformat(saved["passed_on"]) if saved["passed_on"] else None,
            )
        except (KeyError, TypeError, ValueError):
            pass  # a shape from another version: start again
    return Visit(site.public_code, secrets.token_hex(8), frozenset(), False, None)


def save(visit: Visit) -> None:
    saved = {
        "site": visit.site,
        "visitor": visit.visitor,
        "read": sorted(visit.read),
        "started": visit.started,
        "passed_on": visit.passed_on.isoformat() if visit.passed_on else None,
    }
    if session.get(VISIT_KEY) != saved:
        session[VISIT_KEY] = saved


def with_module_read(visit: Visit, module_id: str) -> Visit:
    return replace(visit, read=visit.read | {module_id})


def as_started(visit: Visit) -> Visit:
    return replace(visit, started=True)


def as_passed(visit: Visit) -> Visit:
    return replace(visit, passed_on=utcnow().date())


def site_locale(site: SupplierSite) -> str:
    """The language of the site's pages: the visitor's pick with the language switcher
    (its cookie, which every other page reads too) when the site offers it, else the
    site's first language."""
    picked = supported(request.cookies.get(LOCALE_COOKIE))
    return picked if picked in site.languages else site.languages[0]


def reporting_site(named: str | None) -> SupplierSite | None:
    """The open site a concern report comes from: the one the concern link names
    (`?supplier=<code>`; empty: none), else the one whose course this browser follows."""
    if named is None:
        saved = session.get(VISIT_KEY)
        named = saved.get("site") if isinstance(saved, dict) else None
    site = site_by_code(str(named)) if named else None
    return site if site is not None and site.closed_at is None else None
