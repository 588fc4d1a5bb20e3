"""Sign-in state beside the user: one-time activation codes, kiosks and their PINs, and
the roles single sign-on gives members of the identity provider's groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
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


class SsoGroupRole(Model):
    """A group of the identity provider (a value of its groups claim) whose members get a
    role when they sign in through it. Only an unscoped admin sets these (admin/routes/sso.py)."""

    __tablename__ = "sso_group_roles"
    __table_args__ = (UniqueConstraint("group_name", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: exactly as the provider sends it (Entra ID sends group object ids, Okta names)
    group_name: Mapped[str] = mapped_column(String(255))
    #: one of models.ROLES
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SecondFactor(Model):
    """A person's TOTP second factor (auth/second_factor.py). Unconfirmed while they enrol."""

    __tablename__ = "second_factors"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: base32 TOTP secret, stored as is (the app must read it to check codes); never logged
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: set when the person typed a right code at enrolment; until then it is not asked
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the last accepted time step (unix time // 30): a code of that step or older is refused
    last_step: Mapped[int | None] = mapped_column(Integer)


class RecoveryCode(Model):
    """A one-time code that stands in for the TOTP code (a lost phone). Stored hashed."""

    __tablename__ = "recovery_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
