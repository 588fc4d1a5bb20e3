"""Static files for slow networks: each URL carries a hash of the file's content
(`/static/elearn.css?v=3f2a...`), so a browser keeps it for a year and asks again only
when the file changed. The hashes are computed once, when the app starts, and kept in
`app.extensions["elearn_static_versions"]`. A URL without the hash, or with another
one (a page from before a deploy, another instance mid-deploy), keeps Flask's short
cache (revalidated on every use). /favicon.ico answers browsers that ask for it."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, redirect, request, url_for
from werkzeug.wrappers import Response

EXTENSION = "elearn_static_versions"
VERSION_ARG = "v"
YEAR = 365 * 24 * 3600


def file_versions(folder: Path) -> dict[str, str]:
    """filename as url_for('static') takes it -> the first 12 hex digits of its SHA-256."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = file_versions(Path(app.static_folder or "")) if app.static_folder else {}

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and VERSION_ARG not in values:
            version = current_app.extensions[EXTENSION].get(values.get("filename"))
            if version:
                values[VERSION_ARG] = version

    @app.after_request
    def cache_versioned_files(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code not in (200, 304):
            return response
        filename = (request.view_args or {}).get("filename")
        version = current_app.extensions[EXTENSION].get(filename)
        if version is not None and request.args.get(VERSION_ARG) == version:
            cache = response.cache_control
            cache.no_cache = None
            cache.public = True
            cache.max_age = YEAR
            cache.immutable = True
        return response

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def favicon() -> Response:
    """Browsers ask for /favicon.ico on their own (a PDF viewer, a bookmark): the icon
    the pages link to, for a day (its URL carries the version)."""
    response = redirect(url_for("static", filename="favicon.svg"))
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response
