"""Optional error reports to Sentry (SENTRY_DSN), never carrying concern data.

An event raised while handling a concern report or case (paths /concerns and /cases,
the concerns blueprint) is dropped whole: its stack, breadcrumbs and request would
carry what a reporter wrote. Every other event leaves without the request's body,
cookies, query string and identifying headers, and no event carries local variables
or personal data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from flask import Flask

from .security_log import is_concern_path, is_concern_request

if TYPE_CHECKING:
    from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint

#: request headers never sent (send_default_pii=False already drops most of them)
_DROPPED_HEADERS = frozenset(
    {"cookie", "authorization", "x-forwarded-for", "x-real-ip", "forwarded", "x-csrftoken", "x-csrf-token"}
)


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    # send_default_pii is left unset, which means False (recent sentry-sdk versions
    # deprecate setting it at all): no user, cookies or client address.
    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration()],
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_breadcrumb=before_breadcrumb,
    )


def _about_concerns(event: Event) -> bool:
    if is_concern_request():
        return True
    url = cast("dict[str, Any]", event.get("request") or {}).get("url")
    if url and is_concern_path(urlsplit(url).path):
        return True
    transaction = event.get("transaction") or ""
    return transaction.startswith("concerns.") or is_concern_path(transaction)


def before_send(event: Event, hint: Hint) -> Event | None:
    if _about_concerns(event):
        return None
    details = cast("dict[str, Any] | None", event.get("request"))
    if details:
        for key in ("data", "cookies", "query_string", "env"):
            details.pop(key, None)
        headers = details.get("headers")
        if isinstance(headers, dict):
            details["headers"] = {
                name: value for name, value in headers.items() if name.lower() not in _DROPPED_HEADERS
            }
    return event


def before_breadcrumb(crumb: Breadcrumb, hint: BreadcrumbHint) -> Breadcrumb | None:
    # Events of concern requests are dropped anyway; their breadcrumbs are not even kept.
    return None if is_concern_request() else crumb
