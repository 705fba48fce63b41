from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin, enum_column
from app.db.models.enums import DocumentStatus


class Document(TenantMixin, Base):
    """A knowledge document of the organisation. Its passages live in the knowledge store;
    this row says which version is indexed, and why a failed one failed."""

    __tablename__ = "document"
    __table_args__ = (sa.UniqueConstraint("organization_id", "name"),)

    name: Mapped[str] = mapped_column(sa.String(300))
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    kind: Mapped[str] = mapped_column(sa.String(32), default="")
    language: Mapped[str] = mapped_column(sa.String(8), default="")
    skill: Mapped[str] = mapped_column(sa.String(100), default="")
    event_date: Mapped[date | None] = mapped_column(sa.Date, default=None)
    checksum: Mapped[str] = mapped_column(sa.String(64), default="")
    version: Mapped[int] = mapped_column(default=0)  # the indexed version; 0 = none yet
    status: Mapped[DocumentStatus] = enum_column(DocumentStatus, default=DocumentStatus.PENDING)
    chunk_count: Mapped[int] = mapped_column(default=0)
    size_bytes: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    uploaded_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    # Kind, language and skill given at upload (they win over front matter when re-indexing).
    declared: Mapped[str] = mapped_column(sa.String(200), default="")
    # Who indexes it and until when (app/lib/leases.py): renewed while it runs, taken over after.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
