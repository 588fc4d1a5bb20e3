"""Sign-in state beside the user: one-time activation codes, kiosks and their PINs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow


class ActivationCode(Model):
    """A one-time code with which an imported person sets a password. Stored hashed."""

    __tablename__ = "activation_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Kiosk(Model):
    """A shared device at a site (a tablet in a canteen) on which workers sign in with
    their employee ID and a PIN. The device holds a random secret in a cookie; only its
    hash is stored here, as for the one-time enrolment link."""

    __tablename__ = "kiosks"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: ISO 3166-1 alpha-2: the site's country (helplines on the concern page)
    country: Mapped[str] = mapped_column(String(2))
    #: the language its pages open in before a worker picks one
    locale: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: sha256 of the one-time enrolment link's token, until it is used or replaced
    enrolment_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: sha256 of the secret in the enrolled browser's device cookie
    device_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a revoked kiosk's device is an ordinary browser again
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class KioskPin(Model):
    """A person's PIN for kiosk sign-in (scrypt, like passwords) and its failure count."""

    __tablename__ = "kiosk_pins"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    #: set by an admin: the person must choose their own at first use
    temporary: Mapped[bool] = mapped_column(Boolean, default=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: wrong PINs in a row; each one past the first few makes the next try wait longer
    failures: Mapped[int] = mapped_column(Integer, default=0)
    retry_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
