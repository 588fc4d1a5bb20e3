"""Rate limits keyed on a keyed hash of the client address, never the address itself.

The hash key changes every day, so a stored key cannot be linked to an address
later, and limiter entries expire with their window. Storage is Redis when
ELEARN_RATELIMIT_STORAGE_URI is set, memory otherwise.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request
from flask_limiter import Limiter

from .models import utcnow


def hashed_address() -> str:
    day = utcnow().strftime("%Y-%m-%d")
    key = f"{current_app.config['SECRET_KEY']}:ratelimit:{day}".encode()
    return hmac.new(key, (request.remote_addr or "-").encode(), hashlib.sha256).hexdigest()[:32]


class RouteLimiter(Limiter):
    """Limits only on the routes that declare one (sign-in, concern intake and status).

    Flask-Limiter's decorator checks those when the route runs; its before-request
    hook exists for application-wide default limits, which elearn does not set, and
    cost every other request ~0.1 ms (see `make bench`)."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if not in_middleware:
            super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def init_app(self, app) -> None:
        super().init_app(app)
        # Its after-request hook writes rate-limit headers (disabled here) and settles
        # conditional deductions (none used); its teardown resets per-request state that
        # lives on the request context anyway. Neither has work to do on any request.
        app.after_request_funcs[None] = [hook for hook in app.after_request_funcs.get(None, [])
                                         if getattr(hook, "args", None) != (self,)]
        app.teardown_request_funcs[None] = [hook for hook in app.teardown_request_funcs.get(None, [])
                                            if getattr(hook, "__self__", None) is not self]


limiter = RouteLimiter(key_func=hashed_address, headers_enabled=False)


def configured(name: str):
    """A limit read from configuration when the request arrives (tests lower them)."""
    return lambda: current_app.config[name]
