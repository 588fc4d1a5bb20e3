"""Input no page can store: a NUL character (PostgreSQL text cannot hold it, SQLite
would keep it and break every export). Refused before any view runs, for the path,
the query string, every form field and every uploaded file's name, with a message in
the visitor's language."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from . import json_errors

NUL = "\x00"


def _holds_nul(*texts: str | None) -> bool:
    # None: a multipart part whose header names no field has the key None
    return any(NUL in (text or "") for text in texts)


def has_nul() -> bool:
    if NUL in request.path:
        return True
    if any(_holds_nul(key, value) for key, value in request.args.items(multi=True)):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS") or not request.mimetype.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return False
    if any(_holds_nul(key, value) for key, value in request.form.items(multi=True)):
        return True
    # an upload's field and file name (its content is the page's own to check: the CSV import)
    return any(_holds_nul(key, upload.filename) for key, upload in request.files.items(multi=True))


def refuse_nul():
    if has_nul():
        message = _(
            "The text you sent contains a character that cannot be stored (a NUL byte). Remove it and try again."
        )
        json_error = json_errors.handler_for(current_app, request.path)
        if json_error is not None:  # an API path: its own JSON error
            return json_error(BadRequest(message))
        return render_template("error.html", code=400, message=message), 400
    return None


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul)
