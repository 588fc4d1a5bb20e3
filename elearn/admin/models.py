"""Administration state: admin scopes."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model


class AdminScope(Model):
    """Limits an admin to users of some regions or departments. No rows: sees everyone."""

    __tablename__ = "admin_scopes"
    __table_args__ = (UniqueConstraint("admin_id", "kind", "value"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    admin_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  #: "region" or "department"
    value: Mapped[str] = mapped_column(String(120))
