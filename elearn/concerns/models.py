"""Concern cases. Report text, answers and notes are stored encrypted (see crypto.py);
an anonymous case holds nothing that identifies the reporter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..models import UTCDateTime, utcnow
from ..suppliers.models import SupplierSite

STATUSES = ("received", "under_review", "action_taken", "closed")


class Concern(Model):
    __tablename__ = "concerns"
    __table_args__ = (Index("ix_concerns_status_created", "status", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the id part of the receipt code (public, not secret)
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    #: SHA-256 of the receipt's secret part (>= 80 random bits, so no slow hash is needed)
    secret_hash: Mapped[str] = mapped_column(String(64))
    #: an id of content/concern_categories.yaml (when filed; the file may retire it later)
    category: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    #: the language the reporter wants answers in
    language: Mapped[str] = mapped_column(String(16))
    anonymous: Mapped[bool] = mapped_column(default=True)
    #: encrypted: what happened / site or supplier / contact details (None when anonymous)
    body_enc: Mapped[str] = mapped_column(Text)
    site_enc: Mapped[str | None] = mapped_column(Text)
    contact_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="received")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the supplier site whose course link the report was sent from (the site, never the person)
    supplier_site_id: Mapped[int | None] = mapped_column(ForeignKey("supplier_sites.id", ondelete="SET NULL"))

    supplier_site: Mapped[SupplierSite | None] = relationship()
    messages: Mapped[list[ConcernMessage]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernMessage.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )


class ConcernMessage(Model):
    """An answer the reporter reads, or an internal note the reporter never sees."""

    __tablename__ = "concern_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  #: "answer" or "note"
    body_enc: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="messages")


class CaseEvent(Model):
    """The case history: only case handlers see it (it is not the admin audit log)."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))  #: status, answer, note
    detail: Mapped[str | None] = mapped_column(String(64))  #: e.g. "received -> under_review"
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="events")
    actor = relationship("User")
