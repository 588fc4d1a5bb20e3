"""Rendered page shells: a page rendered once per key with its per-user parts left as
markers, filled in per request.

The key must hold everything the shell depends on except the three per-user values
(CSRF token, the user's name, the page's own path). Nothing of one user can end up
in another user's page: those values are never rendered into a shell, and a request
with pending flash messages is never served from or stored in the cache.

Each app keeps its shells in `app.extensions["elearn_page_shells"]`, at most
ELEARN_PAGE_CACHE_SIZE of them, the least recently used forgotten first.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Hashable, Mapping
from functools import partial

from cachetools import LRUCache
from flask import Flask, current_app, get_flashed_messages, render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from .auth.kiosk import in_kiosk_session

CSRF, NAME, NEXT = "\ue000csrf\ue000", "\ue000name\ue000", "\ue000next\ue000"
#: the three per-user values and any per-request slot a page names (see render_shell)
_MARKERS = re.compile("(\ue000[a-z_]+\ue000)")
EXTENSION = "elearn_page_shells"


class ShellCache:
    def __init__(self, size: int):
        #: key -> the page split at its markers: literal UTF-8 bytes at even positions
        self.shells: LRUCache = LRUCache(maxsize=size)
        self.lock = threading.Lock()  # LRUCache reorders itself on every read

    def get(self, key: Hashable) -> tuple | None:
        with self.lock:
            return self.shells.get(key)

    def put(self, key: Hashable, parts: tuple) -> None:
        with self.lock:
            self.shells[key] = parts


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = ShellCache(app.config["ELEARN_PAGE_CACHE_SIZE"])


def render_shell(
    key: Hashable, template: str, slots: Mapping[str, Callable[[], str]] | None = None, **context
) -> str | bytes:
    """The page as UTF-8 bytes (encoded once with the shell, not per request).

    `slots`: template callables whose output differs per request but not per cache key
    (e.g. the emergency numbers of the learner's country); the shell keeps a marker
    where each was called and the callable fills it per request, only when present."""
    slots = slots or {}
    if get_flashed_messages():  # a one-off message for this user (the page shows it): never cache it
        return render_template(template, **slots, **context)
    shells: ShellCache = current_app.extensions[EXTENSION]
    parts = shells.get(key)
    markers = {name: f"\ue000{name}\ue000" for name in slots}
    if parts is None:
        placeholders = {name: partial(Markup, marker) for name, marker in markers.items()}
        page = render_template(
            template, csrf_token=lambda: CSRF, shown_name=NAME, next_path=NEXT, **placeholders, **context
        )
        parts = tuple(part if i % 2 else part.encode() for i, part in enumerate(_MARKERS.split(page)))
        shells.put(key, parts)
    values: dict[str, Callable[[], str]] = {
        CSRF: page_csrf_token,
        NAME: lambda: str(escape(current_user.shown_name)),
        NEXT: lambda: str(escape(request.full_path)),
        **{marker: slots[name] for name, marker in markers.items()},
    }
    return b"".join(str(values[part]()).encode() if i % 2 else part for i, part in enumerate(parts))


#: session key: (the signed CSRF token pages show, the signing key's fingerprint)
PAGE_TOKEN = "elearn_page_token"


def page_csrf_token() -> str:
    """Flask-WTF's token for this session, signed once and kept in the session instead
    of signed again on every page: tokens never expire here (WTF_CSRF_TIME_LIMIT is
    None) and Flask-WTF checks a posted one against the session's own raw token. A new
    signing key (rotation) or a time limit means signing per page again."""
    config = current_app.config
    if config["WTF_CSRF_TIME_LIMIT"] is not None:
        return generate_csrf()
    secret = str(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key)
    fingerprint = hashlib.sha256(secret.encode()).hexdigest()[:16]
    saved = session.get(PAGE_TOKEN)
    if not saved or saved[1] != fingerprint:
        saved = session[PAGE_TOKEN] = (generate_csrf(), fingerprint)
    return saved[0]


def user_key() -> tuple:
    """What the shared page chrome depends on for the signed-in user (not who they are):
    their roles, whether this is a kiosk session (its sign-out bar and refresh) and
    whether they manage anyone (the "My team" link; saved in the session, no query)."""
    from .team.membership import manages_team

    return (current_user.roles, in_kiosk_session(), manages_team())
