"""The HR API's state: bearer tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow

#: read completions and learner status (/api/v1): what every token could do before scopes
HR_READ = "hr_read"
#: provision and deprovision people (/scim/v2)
SCIM = "scim"
SCOPES = (HR_READ, SCIM)


class ApiToken(Model):
    """A bearer token for the HR JSON API. Only its hash is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: space-separated subset of SCOPES: what the token may do
    scopes: Mapped[str] = mapped_column(String(100), default=HR_READ, server_default=HR_READ)

    def allows(self, scope: str) -> bool:
        return scope in self.scopes.split()
