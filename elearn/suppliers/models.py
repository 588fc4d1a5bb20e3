"""Supplier sites and their anonymous counts. Nothing here names a worker: a site's
public course keeps each browser's progress in that browser's signed session cookie,
and the database holds only how many started and completed, by month and language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model
from ..models import UTCDateTime, utcnow


class SupplierSite(Model):
    __tablename__ = "supplier_sites"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: the public link's key, /s/<code> (secrets.token_urlsafe: 96 random bits)
    public_code: Mapped[str] = mapped_column(String(32), unique=True)
    supplier_name: Mapped[str] = mapped_column(String(200))
    site_name: Mapped[str] = mapped_column(String(200))
    #: ISO 3166-1 alpha-2: picks the regional module and the helplines
    country: Mapped[str] = mapped_column(String(2), index=True)
    #: locales (elearn.i18n.LOCALES) offered to the site's workers, the first one first
    languages: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: set when an admin closes the site: its link then says it is no longer active
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def label(self) -> str:
        return f"{self.supplier_name} – {self.site_name}"


class SupplierCount(Model):
    """How many browsers started and completed a site's course in a month, in a language.
    Unverified: one person can take the course more than once, in several browsers."""

    __tablename__ = "supplier_counts"
    site_id: Mapped[int] = mapped_column(ForeignKey("supplier_sites.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  #: "YYYY-MM", UTC
    locale: Mapped[str] = mapped_column(String(16), primary_key=True)
    started: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
