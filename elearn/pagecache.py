"""Rendered page shells: a page rendered once per key with its per-user parts left as
markers, filled in per request.

The key must hold everything the shell depends on except the three per-user values
(CSRF token, the user's name, the page's own path). Nothing of one user can end up
in another user's page: those values are never rendered into a shell, and a request
with pending flash messages is never served from or stored in the cache.
"""
from __future__ import annotations

import re
from collections.abc import Hashable

from flask import current_app, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from .boundedmap import BoundedMap

CSRF, NAME, NEXT = "\ue000csrf\ue000", "\ue000name\ue000", "\ue000next\ue000"
_MARKERS = re.compile("(" + "|".join(map(re.escape, (CSRF, NAME, NEXT))) + ")")


class ShellCache:
    def __init__(self, size: int = 1024):
        #: key -> the page split at its markers: literal text at even positions
        self._shells = BoundedMap(size)

    def render(self, key: Hashable, template: str, **context) -> str | bytes:
        """The page as UTF-8 bytes (encoded once with the shell, not per request)."""
        if "_flashes" in session:  # a one-off message for this user: never cache it
            return render_template(template, **context)
        parts = self._shells.get(key)
        if parts is None:
            page = render_template(template, csrf_token=lambda: CSRF, shown_name=NAME, next_path=NEXT,
                                   **context)
            parts = tuple(part if i % 2 else part.encode() for i, part in enumerate(_MARKERS.split(page)))
            self._shells.put(key, parts)
        values = {CSRF: page_csrf_token(), NAME: str(escape(current_user.shown_name)),
                  NEXT: str(escape(request.full_path))}
        return b"".join(values[part].encode() if i % 2 else part for i, part in enumerate(parts))


#: (secret, the session's raw CSRF token) -> its signed form for pages
_SIGNED_CSRF = BoundedMap(8192)


def page_csrf_token() -> str:
    """Flask-WTF's token for this session, signed once rather than on every page view:
    tokens do not expire (WTF_CSRF_TIME_LIMIT is None) and stay tied to the session's
    raw token, which Flask-WTF compares on every POST."""
    raw = session.get("csrf_token")
    config = current_app.config
    if raw is None or config.get("WTF_CSRF_TIME_LIMIT") is not None:
        return generate_csrf()
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    signed = _SIGNED_CSRF.get(key)
    if signed is None:
        signed = generate_csrf()
        _SIGNED_CSRF.put(key, signed)
    return signed


def user_key() -> tuple:
    """What the shared page chrome depends on for the signed-in user (not who they are)."""
    return (current_user.roles,)
