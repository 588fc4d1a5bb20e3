"""Concern cases. Report text, answers and notes are stored encrypted (see crypto.py);
an anonymous case holds nothing that identifies the reporter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..models import UTCDateTime, utcnow
from ..suppliers.models import SupplierSite

STATUSES = ("received", "under_review", "action_taken", "closed")
#: who wrote a message: a handler's answer the reporter reads, a handler's internal note,
#: or the reporter's own message
MESSAGE_KINDS = ("answer", "note", "reporter")

handler_group_members = Table(
    "handler_group_members",
    Model.metadata,
    Column("group_id", Integer, ForeignKey("handler_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class HandlerGroup(Model):
    """Case handlers who take the cases of some regions and/or categories. Lead case
    handlers manage groups; a case goes to the first group (by id) whose regions and
    categories both match (an empty list matches anything), else to the default group."""

    __tablename__ = "handler_groups"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: space-separated region ids (catalog regions); empty: every region
    regions: Mapped[str] = mapped_column(String(500), default="")
    #: space-separated concern category ids; empty: every category
    categories: Mapped[str] = mapped_column(String(1000), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members = relationship("User", secondary=handler_group_members, order_by="User.name")


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
    #: the handler group the case is routed to (None: no group; assignment.py says who sees it)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("handler_groups.id", ondelete="SET NULL"), index=True)
    #: the handler who has the case (None: anyone in the group)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: deadlines (deadlines.py): receipt acknowledged, feedback given
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the next deadline still open (acknowledgement, then feedback); None when both are met
    #: or the case is closed. Kept here so the queue can sort and index on it.
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: the receipt code opens the case until then (dialogue.py); set on each visit (by the
    #: day) and each handler answer, so it never lapses before the feedback
    reporter_access_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    supplier_site: Mapped[SupplierSite | None] = relationship()
    group: Mapped[HandlerGroup | None] = relationship()
    assignee = relationship("User", foreign_keys=[assignee_id])
    messages: Mapped[list[ConcernMessage]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="ConcernMessage.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="concern", cascade="all, delete-orphan", order_by="CaseEvent.id"
    )
    #: the files sent with the report itself (files of messages hang on their message)
    report_files: Mapped[list[ConcernAttachment]] = relationship(
        primaryjoin="and_(Concern.id == ConcernAttachment.concern_id, ConcernAttachment.message_id.is_(None))",
        order_by="ConcernAttachment.id",
        viewonly=True,
    )


class ConcernMessage(Model):
    """An answer the reporter reads, or an internal note the reporter never sees."""

    __tablename__ = "concern_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  #: one of MESSAGE_KINDS
    body_enc: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="messages")
    # selectin: a thread's files in one query, not one per message
    attachments: Mapped[list[ConcernAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="ConcernAttachment.id", lazy="selectin"
    )


class ConcernAttachment(Model):
    """A file sent with a message: cleaned (attachments.py), encrypted, never the
    sender's file name (a phone's name carries the time it was taken)."""

    __tablename__ = "concern_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    #: None: a file sent with the report itself
    message_id: Mapped[int | None] = mapped_column(ForeignKey("concern_messages.id", ondelete="CASCADE"), index=True)
    #: e.g. "image-2.jpg": the file's kind and its number in the case
    file_name: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    #: Fernet token of the cleaned bytes; deferred: listing a case's files reads no file
    data_enc: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    message: Mapped[ConcernMessage | None] = relationship(back_populates="attachments")


class CaseConflict(Model):
    """A handler declared a conflict of interest: the case is hidden from them."""

    __tablename__ = "case_conflicts"
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseEvent(Model):
    """The case history: only case handlers see it (it is not the admin audit log)."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concerns.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: status, answer, note, reporter, reopened (by a reporter's message), feedback, assigned, conflict
    action: Mapped[str] = mapped_column(String(32))
    #: status: "received -> under_review"; assigned: "group:3 handler:17" (ids, shown as names)
    detail: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    concern: Mapped[Concern] = relationship(back_populates="events")
    actor = relationship("User")
