"""What every area's views share: the catalog, the locale and time zone of this
request, the country list in the visitor's language, and safe local redirects.
The app's wiring (extensions, headers, error pages, the shared pages) is wiring.py."""

from __future__ import annotations

from functools import lru_cache
from typing import TypeGuard
from urllib.parse import urlsplit

from babel import Locale
from flask import current_app, g, has_request_context, request
from flask_login import current_user

from .catalog import Catalog
from .i18n import LOCALE_COOKIE, choose_locale


def get_catalog() -> Catalog:
    return current_app.extensions["elearn_catalog"]


def current_locale() -> str:
    """The interface locale of this request, chosen once (see i18n.choose_locale)."""
    if not has_request_context():
        return g.get("locale", "en")
    chosen = g.get("locale")
    if chosen is None:
        user = current_user._get_current_object()
        chosen = g.locale = choose_locale(
            user if user.is_authenticated else None,
            request.cookies.get(LOCALE_COOKIE),
            request.headers.get("Accept-Language"),
            g.get("device_locale"),  # a kiosk's (auth/kiosk_routes.py) or an LMS package's (scorm/routes.py)
        )
    return chosen


@lru_cache(maxsize=16)
def _country_names(locale: str, codes: frozenset[str]) -> tuple[tuple[str, str], ...]:
    territories = Locale.parse(locale).territories
    return tuple(sorted(((code, territories.get(code, code)) for code in codes), key=lambda pair: pair[1]))


def country_choices() -> tuple[tuple[str, str], ...]:
    """(code, name in the visitor's language) for every country of regions.yaml, sorted."""
    return _country_names(current_locale(), frozenset(get_catalog().regions))


def country_name(code: str | None, locale: str | None = None) -> str:
    """The country's name in `locale`, else the visitor's language ("" for none)."""
    if not code:
        return ""
    return Locale.parse(locale or current_locale()).territories.get(code.upper(), code.upper())


def current_timezone() -> str:
    if not has_request_context():  # tasks and commands: UTC unless told otherwise
        return current_app.config["ELEARN_DEFAULT_TIMEZONE"]
    if current_user.is_authenticated and current_user.timezone:
        return current_user.timezone
    return current_app.config["ELEARN_DEFAULT_TIMEZONE"]


#: every page's Content-Security-Policy (wiring.py); LTI pages change only where forms go
#: and who may frame them (lti/framing.py)
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def origin_of(url: str) -> str:
    """scheme://host[:port] of an absolute URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """Only local paths: no scheme, no host, no protocol-relative //evil, no control
    character (a Location header cannot hold a newline; browsers drop tabs)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ch < " " or ch == "\x7f" for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
