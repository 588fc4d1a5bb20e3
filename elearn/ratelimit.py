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


limiter = Limiter(key_func=hashed_address, headers_enabled=False)


def configured(name: str):
    """A limit read from configuration when the request arrives (tests lower them)."""
    return lambda: current_app.config[name]
