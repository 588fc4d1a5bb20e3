"""Administration state: admin scopes, generated files, report subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow


class AdminScope(Model):
    """Limits an admin to users of some regions or departments. No rows: sees everyone."""

    __tablename__ = "admin_scopes"
    __table_args__ = (UniqueConstraint("admin_id", "kind", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  #: "region" or "department"
    value: Mapped[str] = mapped_column(String(120))


class GeneratedFile(Model):
    """A file a task made for one admin (a large export, a large scheduled report). Kept in
    the database, which every web process and worker shares, never on one worker's disk."""

    __tablename__ = "generated_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the only person who may download it (and only while an active admin)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: the task run that made it (none once the run is gone)
    task_run_id: Mapped[int | None] = mapped_column(ForeignKey("task_runs.id", ondelete="SET NULL"), index=True)
    file_name: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)  #: bytes
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: never served from then on, and purged (admin/generated_files.py)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ReportSubscription(Model):
    """An admin's weekly or monthly completion report by email, with the filters saved
    when they subscribed; their scope is read when each one is sent."""

    __tablename__ = "report_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    frequency: Mapped[str] = mapped_column(String(16))  #: "weekly" or "monthly"
    format: Mapped[str] = mapped_column(String(16))  #: "xlsx" or "csv-excel"
    #: the report page's filter arguments (ReportFilters.from_args reads them again at send time)
    filters: Mapped[dict] = mapped_column(JSON, default=dict)
    #: False once cancelled, or once the subscriber is no longer an active admin
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
