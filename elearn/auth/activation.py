"""One-time activation codes for imported people (who have no password yet): issued
by an admin (admin/activation.py prints them), redeemed at /activate."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update

from ..extensions import db
from ..models import User, utcnow
from .models import ActivationCode

CODE_DAYS = 30


def _hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def issue_code(user: User, days: int = CODE_DAYS) -> str:
    """A new code (60 random bits) replaces any unused one of this person."""
    db.session.execute(
        update(ActivationCode)
        .where(ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    raw = base64.b32encode(secrets.token_bytes(8)).decode()[:12]
    code = "-".join(raw[i : i + 4] for i in range(0, 12, 4))
    db.session.add(ActivationCode(user_id=user.id, code_hash=_hash(code), expires_at=utcnow() + timedelta(days=days)))
    return code


def redeem(employee_id: str, code: str) -> User | None:
    """The person the code belongs to, if it is theirs, unused and unexpired."""
    row = db.session.execute(
        select(ActivationCode, User)
        .join(User, User.id == ActivationCode.user_id)
        .where(ActivationCode.code_hash == _hash(code), User.employee_id == employee_id.strip())
    ).first()
    if row is None:
        return None
    activation, user = row
    if activation.used_at is not None or activation.expires_at <= utcnow() or not user.active:
        return None
    activation.used_at = utcnow()
    return user
