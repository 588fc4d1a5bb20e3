"""API tokens: shown once at creation, stored as SHA-256, checked in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select

from ..extensions import db
from ..models import utcnow
from .models import HR_READ, SCOPES, ApiToken

PREFIX = "elk_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, created_by: int | None, scopes: tuple[str, ...] = (HR_READ,)) -> tuple[ApiToken, str]:
    """scopes: a non-empty subset of SCOPES (ValueError otherwise)."""
    if not scopes or any(scope not in SCOPES for scope in scopes):
        raise ValueError("unknown or missing token scope")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, token_hash=_hash(token), created_by=created_by, scopes=" ".join(dict.fromkeys(scopes)))
    db.session.add(row)
    db.session.flush()
    return row, token


def check_token(header: str | None) -> ApiToken | None:
    if not header or not header.startswith("Bearer "):
        return None
    token = header[7:].strip()
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    digest = _hash(token)
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest))
    if row is None or row.revoked_at is not None or not hmac.compare_digest(row.token_hash, digest):
        return None
    row.last_used_at = utcnow()
    return row
