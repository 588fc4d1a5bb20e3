"""Local accounts: who may sign in with a password (ELEARN_LOCAL_PASSWORDS), who must
also type a TOTP code (ELEARN_REQUIRE_SECOND_FACTOR), and the codes themselves.

A password sign-in that needs a second factor is half done: the session holds the
person's id and when it started (PENDING_KEY), and nobody is signed in (login_user is
not called) until a right code, within PENDING_SECONDS. A TOTP code is accepted once:
the factor remembers its last accepted time step. Recovery codes are stored hashed and
spent by one conditional UPDATE, so two requests cannot both use one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import cast

import pyotp
from flask import current_app, session
from sqlalchemy import CursorResult, delete, or_, select, update

from ..extensions import db
from ..models import ExternalIdentity, User, utcnow
from .grants import PRIVILEGED_ROLES
from .models import RecoveryCode, SecondFactor

RECOVERY_CODE_COUNT = 10
PENDING_KEY = "second_factor_pending"
PENDING_SECONDS = 300
STEP_SECONDS = 30
ISSUER = "elearn"


# --- the rules ----------------------------------------------------------------------
def _privileged(user: User) -> bool:
    # the roles whose local password sign-ins need a second factor when it is required
    return any(user.has_role(role) for role in PRIVILEGED_ROLES)


def _has_provider_identity(user: User) -> bool:
    return (
        db.session.scalar(select(ExternalIdentity.id).where(ExternalIdentity.user_id == user.id).limit(1)) is not None
    )


def _sso_only(user: User) -> bool:
    """Local passwords are off for this person (they have a provider identity)."""
    return current_app.config["ELEARN_LOCAL_PASSWORDS"] == "without_sso" and _has_provider_identity(user)


def password_allowed(user: User) -> bool:
    """Whether this person may sign in with a password. Admins always may (break-glass,
    when the provider is down or misconfigured), but then with a second factor."""
    return not _sso_only(user) or user.has_role("admin")


def second_factor_needed(user: User) -> bool:
    """After a right password: whether the sign-in needs a TOTP code (or enrolment)."""
    if confirmed_factor(user.id) is not None:
        return True  # whoever enrolled is always asked
    # anything but "off" (a typo too) requires it: a wrong value fails safe
    if current_app.config["ELEARN_REQUIRE_SECOND_FACTOR"] != "off" and _privileged(user):
        return True
    return _sso_only(user)  # the break-glass admin


def _changed(result) -> int:
    return cast(CursorResult, result).rowcount  # an UPDATE's or DELETE's result is a CursorResult


# --- the factor ---------------------------------------------------------------------
def confirmed_factor(user_id: int) -> SecondFactor | None:
    return db.session.scalar(
        select(SecondFactor).where(SecondFactor.user_id == user_id, SecondFactor.confirmed_at.is_not(None))
    )


def enrolling_factor(user_id: int) -> SecondFactor:
    """The person's unconfirmed factor (a new secret the first time): the page shows the
    same secret until it is confirmed, so reloading it does not break a scanned code."""
    factor = db.session.get(SecondFactor, user_id)
    if factor is None:
        factor = SecondFactor(user_id=user_id, secret=pyotp.random_base32())
        db.session.add(factor)
        db.session.commit()
    return factor


def provisioning_uri(factor: SecondFactor, user: User) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(factor.secret).provisioning_uri(name=user.employee_id, issuer_name=ISSUER)


def _digits(code: str) -> str:
    return "".join(ch for ch in (code or "") if not ch.isspace())


def accept_code(factor: SecondFactor, code: str) -> bool:
    """A right code of the current step or a neighbour (clock drift), newer than the
    last accepted one. Marks its step used; the caller commits."""
    code = _digits(code)
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(factor.secret)
    now = int(time.time())
    for offset in (-1, 0, 1):
        moment = now + offset * STEP_SECONDS
        step = moment // STEP_SECONDS
        if hmac.compare_digest(totp.at(moment), code):
            # conditional: of two requests with the same code only one moves the step
            taken = db.session.execute(
                update(SecondFactor)
                .where(
                    SecondFactor.user_id == factor.user_id,
                    or_(SecondFactor.last_step.is_(None), SecondFactor.last_step < step),
                )
                .values(last_step=step)
                .execution_options(synchronize_session=False)
            )
            return _changed(taken) == 1
    return False


def confirm(factor: SecondFactor, code: str) -> list[str] | None:
    """Enrolment: a right code turns the factor on and returns new recovery codes."""
    if not accept_code(factor, code):
        db.session.rollback()
        return None
    factor.confirmed_at = utcnow()
    codes = issue_recovery_codes(factor.user_id)
    db.session.commit()
    return codes


def renew_recovery_codes(factor: SecondFactor, code: str) -> list[str] | None:
    """The person's own renewal: a right code of their app (not a recovery code: whoever
    holds only those must not mint more) replaces every earlier recovery code."""
    if factor.confirmed_at is None or not accept_code(factor, code):
        db.session.rollback()
        return None
    codes = issue_recovery_codes(factor.user_id)
    db.session.commit()
    return codes


def reset(user_id: int) -> bool:
    """Remove the person's factor and recovery codes (an admin's action: a lost phone).
    Whether there was a factor; the caller commits."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    return _changed(db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user_id))) > 0


# --- recovery codes -----------------------------------------------------------------
def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())[:40]


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def issue_recovery_codes(user_id: int) -> list[str]:
    """New codes (60 random bits each) replace all earlier ones. The caller commits."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = base64.b32encode(secrets.token_bytes(8)).decode()[:12]
        codes.append("-".join(raw[i : i + 4] for i in range(0, 12, 4)))
    db.session.add_all(RecoveryCode(user_id=user_id, code_hash=_recovery_hash(code)) for code in codes)
    return codes


def spend_recovery_code(user_id: int, code: str) -> bool:
    """Whether the code is one of the person's unused ones; it is then used."""
    if len(_normalise_recovery(code)) != 12:
        return False
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _recovery_hash(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return _changed(spent) == 1


def unused_recovery_codes(user_id: int) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
        ).all()
    )


# --- the half-done sign-in ----------------------------------------------------------
def start_pending(user: User, next_url: str) -> None:
    session[PENDING_KEY] = {"user_id": user.id, "started": int(time.time()), "next": next_url}


def pending_user() -> User | None:
    """The person whose password was right in this session, while that is recent and the
    account active; None otherwise (and an expired one is forgotten)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    started, user_id = pending.get("started"), pending.get("user_id")
    if (
        not isinstance(started, int)
        or not isinstance(user_id, int)
        or not 0 <= time.time() - started <= PENDING_SECONDS
    ):
        session.pop(PENDING_KEY, None)
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


def finish_pending() -> str:
    """Forget the half-done sign-in; where the person wanted to go."""
    pending = session.pop(PENDING_KEY, None) or {}
    return str(pending.get("next") or "")
