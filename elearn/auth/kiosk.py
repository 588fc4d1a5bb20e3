"""Kiosks: shared site devices on which workers sign in with an employee ID and a PIN.

An admin registers a kiosk and opens its one-time enrolment link on the device; the
device then carries a random secret in a cookie, whose hash names the kiosk. A
revoked or unknown device is an ordinary browser. Every sign-in on a kiosk device
starts a kiosk session: it ends after ELEARN_KIOSK_IDLE_SECONDS without a request
(checked here on each request, and shown by the page's own refresh), and right after
a quiz result or a certificate is shown, so the next person sees nothing of the last.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import datetime, timedelta

from flask import current_app, g, request, session
from sqlalchemy import select

from ..extensions import db
from ..models import User, utcnow
from .grants import holds_privileged_role
from .models import Kiosk, KioskPin
from .passwords import hash_password, verify_password

DEVICE_COOKIE = "elearn_kiosk"
#: session key: {"kiosk": kiosk id, "seen": epoch seconds of the last request}
KIOSK_SESSION = "kiosk"
#: session key: the worker signed in with a temporary PIN and must choose their own
MUST_CHOOSE_PIN = "kiosk_choose_pin"
ENROLMENT_HOURS = 24
#: pages after which a kiosk session ends (the page itself is still shown)
ENDS_SESSION = frozenset({"courses.attempt_result", "courses.certificate"})
PIN_PATTERN = re.compile(r"[0-9]{4,8}")
FREE_TRIES = 3
LONGEST_WAIT = timedelta(minutes=15)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- the device ----------------------------------------------------------------------


def new_enrolment(kiosk: Kiosk) -> str:
    """A one-time enrolment token for the kiosk (replacing any earlier one)."""
    token = secrets.token_urlsafe(24)
    kiosk.enrolment_hash = _digest(token)
    kiosk.enrolment_expires_at = utcnow() + timedelta(hours=ENROLMENT_HOURS)
    return token


def kiosk_for_enrolment(token: str) -> Kiosk | None:
    kiosk = db.session.scalar(select(Kiosk).where(Kiosk.enrolment_hash == _digest(token or "")))
    if kiosk is None or kiosk.revoked_at is not None or kiosk.enrolment_expires_at is None:
        return None
    return kiosk if kiosk.enrolment_expires_at > utcnow() else None


def enrol(kiosk: Kiosk) -> str:
    """Spend the enrolment link; the returned secret goes into the device cookie. A
    device enrolled before (the same kiosk re-enrolled) stops being this kiosk."""
    secret = secrets.token_urlsafe(32)
    kiosk.device_hash = _digest(secret)
    kiosk.enrolment_hash = kiosk.enrolment_expires_at = None
    kiosk.enrolled_at = kiosk.last_used_at = utcnow()
    return secret


def current_kiosk() -> Kiosk | None:
    """The kiosk this browser is, read once per request; None for any other browser."""
    if "kiosk" not in g:
        secret = request.cookies.get(DEVICE_COOKIE)
        g.kiosk = (
            db.session.scalar(select(Kiosk).where(Kiosk.device_hash == _digest(secret), Kiosk.revoked_at.is_(None)))
            if secret
            else None
        )
    return g.kiosk


def device_key() -> str:
    """Whom the kiosk sign-in limit counts: the device, not the site's shared address."""
    kiosk = current_kiosk()
    return f"kiosk:{kiosk.id}" if kiosk is not None else "kiosk:none"


# --- the kiosk session -----------------------------------------------------------------


def start_kiosk_session(kiosk: Kiosk) -> None:
    session[KIOSK_SESSION] = {"kiosk": kiosk.id, "seen": int(time.time())}
    kiosk.last_used_at = utcnow()


def in_kiosk_session() -> bool:
    return KIOSK_SESSION in session


def idle_seconds() -> int:
    return int(current_app.config["ELEARN_KIOSK_IDLE_SECONDS"])


def session_expired() -> bool:
    """Whether this kiosk session has been idle too long (and else: it is active now)."""
    marker = session.get(KIOSK_SESSION)
    now = int(time.time())
    if not isinstance(marker, dict) or not 0 <= now - int(marker.get("seen", 0)) <= idle_seconds():
        return True
    if now != marker["seen"]:
        session[KIOSK_SESSION] = {**marker, "seen": now}
    return False


# --- PINs ------------------------------------------------------------------------------


def may_use_pin(user: User | None) -> bool:
    """PIN sign-in is for active people without a privileged role, on kiosks only."""
    return user is not None and bool(user.active) and not holds_privileged_role(user.roles)


def wait_after(failures: int) -> timedelta:
    """How long the next try waits after this many wrong PINs in a row: nothing for the
    first few, then doubling from 30 seconds up to 15 minutes. Never a lockout a
    co-worker could use to keep someone out; an admin can clear it at once."""
    if failures < FREE_TRIES:
        return timedelta(0)
    doublings = min(failures - FREE_TRIES, 10)  # 30 s * 2**5 passes 15 min already
    return min(timedelta(seconds=30) * 2**doublings, LONGEST_WAIT)


def pin_of(user: User | None) -> KioskPin | None:
    return db.session.get(KioskPin, user.id) if user is not None else None


def must_wait(pin: KioskPin | None) -> datetime | None:
    """When the next try is allowed, if that is still to come."""
    if pin is None or pin.retry_after is None or pin.retry_after <= utcnow():
        return None
    return pin.retry_after


def check_pin(user: User | None, pin: KioskPin | None, typed: str) -> bool:
    """One scrypt check on every path (unknown person, no PIN, not allowed), so the time
    of the answer does not tell; counts a wrong PIN against the person's PIN."""
    right = verify_password(pin.pin_hash if pin is not None else None, typed)
    if pin is None:
        return False
    if right and may_use_pin(user):
        pin.failures, pin.retry_after = 0, None
        return True
    if not right:
        pin.failures += 1
        wait = wait_after(pin.failures)
        pin.retry_after = utcnow() + wait if wait else None
    return False


def weak_pin(pin: str) -> bool:
    """One digit repeated, or a run up or down (1234, 9876): the first a thief tries."""
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def set_pin(user: User, pin: str, temporary: bool) -> None:
    row = db.session.get(KioskPin, user.id)
    if row is None:
        row = KioskPin(user_id=user.id)
        db.session.add(row)
    row.pin_hash = hash_password(pin)
    row.temporary = temporary
    row.set_at = utcnow()
    row.failures, row.retry_after = 0, None


def temporary_pin() -> str:
    """Six random digits that are not a weak PIN."""
    while True:
        pin = f"{secrets.randbelow(10**6):06d}"
        if not weak_pin(pin):
            return pin


def unlock(user_id: int) -> bool:
    row = db.session.get(KioskPin, user_id)
    if row is None or (row.failures == 0 and row.retry_after is None):
        return False
    row.failures, row.retry_after = 0, None
    return True
