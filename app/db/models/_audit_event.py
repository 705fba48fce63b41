from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class AuditEvent(TenantMixin, Base):
    """Who did what to which object. `data` holds ids and states, never conversation text."""

    __tablename__ = "audit_event"

    actor_id: Mapped[UUID | None] = mapped_column(sa.ForeignKey("user_account.id"), default=None)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(64))
    target_id: Mapped[UUID | None] = mapped_column(default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
