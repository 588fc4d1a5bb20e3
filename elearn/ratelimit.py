"""Rate limits on the routes that declare one (sign-in, activation, concern intake and
status), keyed on a keyed hash of the client address (never the address itself), or
of what else the route names: the account tried, the kiosk device.

The hash key changes every day, so a stored key cannot be linked to an address
later, and limiter entries expire with their window. The `limits` library counts
them in fixed windows, in the storage ELEARN_RATELIMIT_STORAGE_URI names: Redis,
shared by every instance, or this process's memory. Only the limited routes do any
work: nothing runs on other requests.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable
from functools import wraps

from flask import Flask, abort, current_app, request
from limits import parse_many
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from .models import utcnow

EXTENSION = "elearn_rate_limits"


def keyed_hash(value: str) -> str:
    """A limiter key for a value (an address, a login) that cannot be turned back into it."""
    day = utcnow().strftime("%Y-%m-%d")
    key = f"{current_app.config['SECRET_KEY']}:ratelimit:{day}".encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def hashed_address() -> str:
    return keyed_hash(request.remote_addr or "-")


class RouteLimits:
    """`limiter.limit(...)` on a view: past the limit, its requests get 429."""

    def init_app(self, app: Flask) -> None:
        storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
        app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)

    def limit(
        self,
        limits: Callable[[], str],
        methods: Iterable[str] = ("POST",),
        key: Callable[[], str] = hashed_address,
    ):
        """`limits()` gives the limits when a request arrives, e.g. "10 per minute"
        (several separated by ";"); `key()` whom they count (by default the address)."""
        methods = frozenset(methods)

        def decorate(view):
            @wraps(view)
            def limited(*args, **kwargs):
                if request.method in methods and not self.hit(limits(), key()):
                    abort(429)
                return view(*args, **kwargs)

            return limited

        return decorate

    @staticmethod
    def hit(limits: str, counted: str) -> bool:
        """Count this request against each limit for `counted` (a keyed hash); False when
        one is exceeded."""
        counter: FixedWindowRateLimiter = current_app.extensions[EXTENSION]
        key = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "elearn", request.endpoint or "-", counted)
        return all([counter.hit(limit, *key) for limit in parse_many(limits)])


limiter = RouteLimits()


def configured(name: str):
    """A limit read from configuration when the request arrives (tests lower them)."""
    return lambda: current_app.config[name]
