"""Rendered page shells: a page rendered once per key with its per-user parts left as
markers, filled in per request.

The key must hold everything the shell depends on except the three per-user values
(CSRF token, the user's name, the page's own path). Nothing of one user can end up
in another user's page: those values are never rendered into a shell, and a request
with pending flash messages is never served from or stored in the cache.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import render_template, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

CSRF, NAME, NEXT = "\ue000csrf\ue000", "\ue000name\ue000", "\ue000next\ue000"


class ShellCache:
    def __init__(self, size: int = 1024):
        self._shells: OrderedDict[Hashable, str] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def render(self, key: Hashable, template: str, **context) -> str:
        if "_flashes" in session:  # a one-off message for this user: never cache it
            return render_template(template, **context)
        with self._lock:
            shell = self._shells.get(key)
            if shell is not None:
                self._shells.move_to_end(key)
        if shell is None:
            shell = render_template(template, csrf_token=lambda: CSRF, shown_name=NAME, next_path=NEXT,
                                    **context)
            with self._lock:
                self._shells[key] = shell
                while len(self._shells) > self._size:
                    self._shells.popitem(last=False)
        return (shell.replace(CSRF, generate_csrf())
                .replace(NAME, str(escape(current_user.shown_name)))
                .replace(NEXT, str(escape(request.full_path))))


def user_key() -> tuple:
    """What the shared page chrome depends on for the signed-in user (not who they are)."""
    return (current_user.roles,)


__all__ = ["Callable", "ShellCache", "user_key"]
