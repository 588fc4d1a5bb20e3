"""State-changing requests must come from our own pages.

Flask-WTF's HTTPS check (WTF_CSRF_SSL_STRICT, switched off in config.DEFAULTS) wants a
same-origin Referer on every POST. Concern pages send `Referrer-Policy: no-referrer`, so a
browser posts their forms with no Referer and `Origin: null`, and that check would refuse
every report. This one reads what browsers send whatever the referrer policy:
`Sec-Fetch-Site` and `Origin`, with the Referer as a last resort. It runs beside the CSRF
token check, for the same methods and views.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request
from werkzeug.datastructures import Headers

#: Blueprints exempt from CSRF (csrf.exempt on their views): bearer tokens, no cookies.
EXEMPT_BLUEPRINTS = frozenset({"api"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
#: the mark exempt() sets on a view function
_EXEMPT_MARK = "elearn_same_origin_exempt"


def exempt(view):
    """Exempt one view, which must also be csrf.exempt: a cross-site POST that carries its
    own proof instead (a SAML Response signed by the identity provider)."""
    setattr(view, _EXEMPT_MARK, True)
    return view


def _origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an absolute http(s) URL; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS[scheme]


def is_same_origin(own_origin: str, secure: bool, headers: Headers | Mapping[str, str]) -> bool:
    """False on any cross-origin evidence: `Sec-Fetch-Site` cross-site or same-site, or an
    Origin other than ours (`null` is no evidence: a no-referrer page, a privacy mode).
    Over HTTPS it also needs positive evidence, as Flask-WTF's strict mode did:
    `Sec-Fetch-Site` same-origin or none (the user's own navigation), our Origin, or a
    Referer on our origin. Plain HTTP without any of these headers passes."""
    own = _origin(own_origin)

    def ours(url: str | None) -> bool:
        return bool(url) and own is not None and _origin(url or "") == own

    fetch_site = (headers.get("Sec-Fetch-Site") or "").strip().lower()
    if fetch_site in ("cross-site", "same-site"):
        return False
    origin = (headers.get("Origin") or "").strip()
    if origin and origin != "null" and not ours(origin):
        return False
    if not secure:
        return True
    return fetch_site in ("same-origin", "none") or ours(origin) or ours(headers.get("Referer"))


def refuse_cross_origin() -> None:
    """before_request: 400 (the error page) for a state-changing request to a view under
    CSRF protection that does not come from our own pages."""
    config = current_app.config
    if (
        not config["WTF_CSRF_ENABLED"]
        or request.method not in config["WTF_CSRF_METHODS"]
        or request.endpoint is None
        or request.blueprint in EXEMPT_BLUEPRINTS
        or getattr(current_app.view_functions.get(request.endpoint), _EXEMPT_MARK, False)
    ):
        return
    own = f"{request.scheme}://{request.host}"
    if not is_same_origin(own, request.is_secure, request.headers):
        # What an operator needs when a TLS proxy is not declared (ELEARN_PROXY_HOPS):
        # the browser's origin and ours. Nothing about the visitor.
        current_app.logger.warning(
            "refused %s to %s: not shown to come from %s (Origin %r, Sec-Fetch-Site %r)",
            request.method,
            request.endpoint,
            own,
            request.headers.get("Origin"),
            request.headers.get("Sec-Fetch-Site"),
        )
        abort(400)


def init_app(app: Flask) -> None:
    """After csrf.init_app: its settings (WTF_CSRF_ENABLED, WTF_CSRF_METHODS) are read here."""
    app.before_request(refuse_cross_origin)
