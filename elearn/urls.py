"""Absolute addresses: always built on ELEARN_BASE_URL, never on the request's Host
header, which a client chooses (a forged Host would otherwise end up in activation
sheets, emails, certificates and xAPI activity ids)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def base_url() -> str:
    """ELEARN_BASE_URL, ending with one slash."""
    return current_app.config["ELEARN_BASE_URL"].rstrip("/") + "/"


def absolute_url(path: str) -> str:
    """The address of a local path ("/activate") on the configured base."""
    return base_url() + path.lstrip("/")


def trusted_hosts(base: str, extra: str = "") -> list[str]:
    """Flask's TRUSTED_HOSTS: the base URL's host and any listed in `extra` (commas).
    A local base (make run, tests) trusts both loopback names."""
    host = urlsplit(base).hostname or ""
    hosts = [host] + [h.strip() for h in extra.split(",") if h.strip()]
    if host in LOOPBACK:
        hosts += [h for h in LOOPBACK if h not in hosts]
    return list(dict.fromkeys(hosts))
