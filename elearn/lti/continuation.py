"""The link that finishes a framed launch at top level.

A browser drops a SameSite=Lax cookie set by a response inside a cross-site frame, so a
launch in the platform's iframe cannot sign anyone in there. Its page offers a button
that opens this link in a new window: signed (SECRET_KEY), valid two minutes, usable
once (its id is spent in LtiNonce), naming the person and the course the launch
checked. That top-level request signs in and goes to the course."""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from .launches import spend_nonce

SALT = "elearn.lti.continue"
MAX_AGE_SECONDS = 120


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def new_token(user_id: int, course_id: str) -> str:
    return _serializer().dumps({"u": user_id, "c": course_id, "j": secrets.token_urlsafe(16)})


def person_of(token: str) -> int | None:
    """The person a valid token names, without spending it."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadData:
        return None
    return data.get("u") if isinstance(data, dict) and isinstance(data.get("u"), int) else None


def redeem(token: str) -> tuple[int, str] | None:
    """(user id, course id) of a valid token used for the first time; None otherwise.
    Spends the token in the session's transaction (the view commits)."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_SECONDS)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("c"), str):
        return None
    if not isinstance(data.get("j"), str) or not spend_nonce("continue:" + data["j"], MAX_AGE_SECONDS):
        return None
    return data["u"], data["c"]
