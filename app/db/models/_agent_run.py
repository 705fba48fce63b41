from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class AgentRun(TenantMixin, Base):
    """One run of an agent (plan, chat, brief): what it used and how it ended. No secrets."""

    __tablename__ = "agent_run"

    kind: Mapped[str] = mapped_column(sa.String(32))
    session_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("coaching_session.id"), index=True, default=None
    )
    status: Mapped[str] = mapped_column(sa.String(32), default="queued")
    provider: Mapped[str] = mapped_column(sa.String(64), default="")
    model: Mapped[str] = mapped_column(sa.String(200), default="")
    prompt_version: Mapped[str] = mapped_column(sa.String(64), default="")
    retrieved_ids: Mapped[list[str]] = mapped_column(JsonB, default=list)
    tokens_in: Mapped[int] = mapped_column(default=0)
    tokens_out: Mapped[int] = mapped_column(default=0)
    latency_ms: Mapped[int] = mapped_column(default=0)
    fallback_used: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
