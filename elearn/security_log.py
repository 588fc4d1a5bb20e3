"""Security events and request ids: what operators need to follow who did what.

Every event is one JSON object on one line, on the logger "elearn.security", written
to stderr (gunicorn's error log when served by gunicorn):

    {"event": "auth.sign_in_failed", "time": "2026-03-01T12:00:00.000Z",
     "request_id": "5f0c...", "actor": null, "reason": "bad_password", "user_id": 7}

Callers pass identifiers, counts and names of fields, never values that could be a
secret or identify a reporter: no password, no API token, no typed login of an
unknown account (it may be a password typed in the wrong box), and nothing from
the concerns blueprint but counts.

Each request has an id: the `X-Request-Id` header when it is a safe token (a proxy
set it), otherwise a new one. It is in every event of the request, in the line of
an unhandled exception, and echoed in the response's `X-Request-Id` header.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import traceback
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask.logging import wsgi_errors_stream
from flask_login import current_user, user_logged_in

logger = logging.getLogger("elearn.security")

REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")

#: paths of concern reports and case handling: their errors are logged without the
#: exception's message, and Sentry never receives their events (see error_reporting)
CONCERN_PATHS = ("/concerns", "/cases")


class SecurityLineHandler(logging.StreamHandler):
    """The one handler of "elearn.security": the message alone, which is the JSON."""

    def __init__(self):
        super().__init__(wsgi_errors_stream)
        self.setFormatter(logging.Formatter("%(message)s"))


def init_app(app: Flask) -> None:
    # Once per process however many apps are created (tests make many): one line per event.
    if not any(isinstance(h, SecurityLineHandler) for h in logger.handlers):
        logger.addHandler(SecurityLineHandler())
    logger.setLevel(logging.INFO)
    # Not also through the "elearn" logger (Flask's handler) or the root logger: no duplicate lines.
    logger.propagate = False
    user_logged_in.connect(_signed_in)  # the same receiver connects once
    app.after_request(_echo_request_id)


def request_id() -> str | None:
    """This request's id (None outside a request)."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        offered = request.headers.get(REQUEST_ID_HEADER, "")
        rid = g.request_id = offered if _SAFE_REQUEST_ID.fullmatch(offered) else secrets.token_hex(16)
    return rid


def _echo_request_id(response):
    response.headers[REQUEST_ID_HEADER] = request_id()
    return response


def is_concern_request() -> bool:
    """The current request reads or writes concern reports or cases."""
    if not has_request_context():
        return False
    return request.blueprint == "concerns" or is_concern_path(request.path)


def is_concern_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in CONCERN_PATHS)


def _actor() -> int | None:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id
    return None


def event(name: str, *, actor: int | None = None, **fields) -> None:
    """Write one event. `actor` defaults to the signed-in user of the request."""
    if not logger.isEnabledFor(logging.INFO):
        return
    line = {
        "event": name,
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "request_id": request_id(),
        "actor": actor if actor is not None else _actor(),
    }
    line.update(fields)
    logger.info(json.dumps(line, default=str))


# --- the events ---------------------------------------------------------------------
def sign_in_failed(user, password_ok: bool) -> None:
    """`user` is the account the typed login names, or None: then only that flag is
    logged, never what was typed."""
    if user is None:
        event("auth.sign_in_failed", reason="unknown_login", known_account=False)
        return
    if not user.password_hash:
        reason = "no_password"  # not activated yet
    elif not password_ok:
        reason = "bad_password"
    elif not user.active:
        reason = "inactive"
    else:
        reason = "local_password_off"  # ELEARN_LOCAL_PASSWORDS=without_sso
    event("auth.sign_in_failed", reason=reason, known_account=True, user_id=user.id)


def _signed_in(sender, user, **_extra) -> None:
    """Flask-Login's signal: every sign-in (password or activation code)."""
    event("auth.signed_in", actor=user.id, endpoint=request.endpoint if has_request_context() else None)


def audit(action: str, target: str | None, fields, actor: int | None) -> None:
    """An admin audit record: the names of the fields it changed, not their values."""
    event("audit", actor=actor, action=action, target=target, fields=sorted(fields))


def api_token_used(token_id: int) -> None:
    event("api.token_used", token_id=token_id, endpoint=request.endpoint)


def api_token_rejected() -> None:
    """A bearer token was sent but is unknown, malformed or revoked (it is not logged)."""
    event("api.token_rejected", endpoint=request.endpoint)


# --- unhandled exceptions -----------------------------------------------------------
def log_exception(app: Flask, exc_info) -> None:
    """Flask's "Exception on ..." line with the request id. On concern paths the
    exception's message is left out (it may quote what a reporter wrote): the type
    and the stack only."""
    rid = request_id()
    if not has_request_context():
        app.logger.error("Exception outside a request", exc_info=exc_info)
        return
    where = f"Exception on {request.path} [{request.method}] request_id={rid}"
    if is_concern_request():
        exc_type, _value, tb = exc_info
        stack = "".join(traceback.format_list(traceback.extract_tb(tb)))
        app.logger.error(
            "%s: %s (message withheld on concern paths)\nTraceback (most recent call last):\n%s",
            where,
            exc_type.__qualname__,
            stack.rstrip("\n"),
        )
        return
    app.logger.error(where, exc_info=exc_info)
