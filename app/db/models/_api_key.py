from __future__ import annotations

from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class ApiKey(TenantMixin, Base):
    """An organisation-scoped key acting as one user. Only a SHA-256 of the secret is kept."""

    __tablename__ = "api_key"

    user_id: Mapped[UUID] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id"), default=None
    )
    name: Mapped[str] = mapped_column(sa.String(200))
    prefix: Mapped[str] = mapped_column(sa.String(32), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list[str]] = mapped_column(JsonB, default=list)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
