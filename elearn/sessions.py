"""Flask's signed-cookie sessions, without re-verifying the same cookie on every request.

Flask builds a new signing serializer and checks the HMAC of the session cookie on
each request (~0.1 ms of the module page, see `make bench`). Here the serializer is
built once per secret, and a cookie whose signature was verified is remembered by
its whole signed value: only a request carrying exactly that value gets its contents
back, a fresh copy each time, and only while the signature's age allows.
"""
from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .boundedmap import BoundedMap


def _fresh_copy(value):
    """Sessions are mutated in place (flash messages append to a list): never hand out
    the remembered objects themselves."""
    if isinstance(value, dict):
        return {key: _fresh_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh_copy(item) for item in value]
    if isinstance(value, tuple) and any(isinstance(item, (dict, list, tuple)) for item in value):
        return tuple(_fresh_copy(item) for item in value)
    return value  # immutable


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self, size: int = 8192):
        #: the whole signed cookie -> (signed at, its contents)
        self._verified = BoundedMap(size)
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        if self._serializer[0] != key:
            self._verified.forget_all()  # a new or withdrawn key: verify everything again
            self._serializer = (key, super().get_signing_serializer(app))
        return self._serializer[1]

    def save_session(self, app: Flask, session: SecureCookieSession, response) -> None:
        if not session.modified and not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return  # nothing to write; "Vary: Cookie" is on every response (web.security_headers)
        super().save_session(app, session, response)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        signed = request.cookies.get(self.get_cookie_name(app))
        if not signed:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        remembered = self._verified.get(signed)
        if remembered is not None and 0 <= time.time() - remembered[0] <= max_age:
            return self.session_class(_fresh_copy(remembered[1]))
        try:
            data, signed_at = serializer.loads(signed, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        self._verified.put(signed, (signed_at.timestamp(), _fresh_copy(data)))
        return self.session_class(data)
