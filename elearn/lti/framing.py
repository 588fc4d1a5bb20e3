"""Which pages a platform may show in its frame, set on each LTI response by the view
(wiring.py keeps a header a view set; every other page keeps frame-ancestors 'none'
and X-Frame-Options: DENY).

frame-ancestors names the registered platforms' origins. Browsers obey it over
X-Frame-Options (CSP Level 2; the HTML standard ignores X-Frame-Options when a policy
has frame-ancestors); X-Frame-Options SAMEORIGIN only speaks to browsers too old for
CSP, which then refuse the frame rather than allow any site."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Response
from sqlalchemy import select

from ..extensions import db
from ..web import CSP
from .models import LtiRegistration

POLICY = CSP.replace("form-action 'self'", "form-action {form_action}").replace(
    "frame-ancestors 'none'", "frame-ancestors {ancestors}"
)


def origin(url: str | None) -> str | None:
    """scheme://host[:port] of an http(s) URL; None for anything else."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return None
    # a wildcard or credentials would widen frame-ancestors beyond one origin
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c in parts.netloc for c in " ;,'\"*@"):
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def origins_of(registrations: Iterable[LtiRegistration]) -> list[str]:
    found = {origin(url) for row in registrations for url in row.page_urls()}
    return sorted(o for o in found if o)


def all_platform_origins() -> list[str]:
    return origins_of(db.session.scalars(select(LtiRegistration)))


def framable(response: Response, origins: list[str], form_targets: Iterable[str] = ()) -> Response:
    """Let these origins frame the response; forms may also post to `form_targets`."""
    posts = ["'self'", *sorted({o for o in map(origin, form_targets) if o})]
    response.headers["Content-Security-Policy"] = POLICY.format(
        form_action=" ".join(posts), ancestors=" ".join(origins) or "'none'"
    )
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
