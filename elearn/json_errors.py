"""Areas that answer errors in JSON instead of the HTML error page (the HR API, SCIM).

Each registers its URL prefix and a handler (an HTTPException in, a response out) when
its blueprint is registered; the app's error handlers (wiring.py) and the input guard
ask `handler_for` first, so a path under that prefix never gets an HTML page, even a
404 for a URL no route matches."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

#: app.extensions key: URL prefix -> handler
EXTENSION = "elearn_json_errors"

JsonErrorHandler = Callable[[HTTPException], Response]


def register(app: Flask, prefix: str, handler: JsonErrorHandler) -> None:
    app.extensions.setdefault(EXTENSION, {})[prefix.rstrip("/")] = handler


def handler_for(app: Flask, path: str) -> JsonErrorHandler | None:
    for prefix, handler in app.extensions.get(EXTENSION, {}).items():
        if path == prefix or path.startswith(prefix + "/"):
            return handler
    return None
