"""An LMS that runs dispatch packages: its packages carry a key naming it, and its
learners are known here by the LMS's own learner id (ExternalIdentity, provider
`lms:<id>`). Revoking it stops every package it was given at the next launch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow


class LmsConnection(Model):
    __tablename__ = "lms_connections"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: what the admin calls it ("Workday EU"); unique
    name: Mapped[str] = mapped_column(String(120), unique=True)
    #: the LMS's learner ids are the HR system's employee ids: a launch links the imported
    #: person; otherwise each learner is a person of their own
    learner_ids_are_employee_ids: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
