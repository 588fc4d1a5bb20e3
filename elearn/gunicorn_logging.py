"""Gunicorn access logging that never records who reported a concern.

By default (gunicorn.conf.py) the access log format has no client in it at all:
PRIVATE_FORMAT, for every request. A reporter is then linked neither by their own lines
nor by the time of the stylesheet or language-switch lines their visit produced.

An operator who sets ELEARN_ACCESS_LOG_CLIENTS gets gunicorn's usual format through
RedactingLogger, which still replaces the client address, user agent, referrer, remote
user, query string and every request header or environ value by "-" on concern paths and
on requests whose Referer is a concern page.
"""

from __future__ import annotations

import os
from typing import cast
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

PRIVATE_PREFIXES = ("/concerns",)
#: The combined log format's fields, with "-" for client address, remote user, referrer
#: and user agent, and the path without its query string.
PRIVATE_FORMAT = '- - - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "-" "-"'
_BLANKED = ("h", "a", "f", "u", "q")


def clients_logged() -> bool:
    """The operator's opt-in to client addresses, user agents and referrers in the access log."""
    value = os.environ.get("ELEARN_ACCESS_LOG_CLIENTS") or ""
    return value.strip().lower() in ("1", "true", "yes", "on")


def is_private_path(path: str) -> bool:
    return ("/" + path.lstrip("/")).startswith(PRIVATE_PREFIXES)


def _referred_by_private_page(referrer: str) -> bool:
    try:
        return is_private_path(urlsplit(referrer).path)
    except ValueError:  # not a URL we can read: do not take the chance
        return True


class RedactingLogger(Logger):
    """Only used when clients are logged (ELEARN_ACCESS_LOG_CLIENTS)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # gunicorn adds a key per request header ({name}i) and environ variable ({name}e) to
        # the atoms its type stubs list
        fields = cast("dict[str, str]", atoms)
        path = environ.get("PATH_INFO", "")
        referrer = environ.get("HTTP_REFERER", "")
        if is_private_path(path) or (referrer and _referred_by_private_page(referrer)):
            for key in _BLANKED:
                fields[key] = "-"
            fields["r"] = f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}"
            fields["U"] = path
            for key in list(fields):
                if key.startswith("{") and key.endswith(("}i", "}e")):
                    fields[key] = "-"  # request headers (X-Forwarded-For...) and environ (REMOTE_ADDR...)
        return atoms
