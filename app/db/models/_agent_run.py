from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, TenantMixin


class AgentRun(TenantMixin, Base):
    """One run of an agent (plan, chat, brief): what it used and how it ended. No secrets.

    Plan runs are also the plan job queue: `status` queued → running → done, or retrying
    (`run_after` says when) and at last done with the composer's plan, or failed.
    """

    __tablename__ = "agent_run"
    # One plan per session and generation: a repeated request finds the existing run; a coach
    # asking for another plan makes the next generation.
    __table_args__ = (
        sa.UniqueConstraint("session_id", "kind", "generation", name="uq_agent_run_generation"),
        sa.Index("ix_agent_run_queue", "kind", "status", "run_after"),
    )

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
    generation: Mapped[int] = mapped_column(default=0)
    attempts: Mapped[int] = mapped_column(default=0)
    run_after: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    # Who runs it and until when (app/lib/leases.py): renewed while it runs, taken over after.
    claimed_by: Mapped[str | None] = mapped_column(sa.String(100), default=None)
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTimeUTC, default=None)
    learner_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id"), index=True, default=None
    )
    requested_by_id: Mapped[UUID | None] = mapped_column(
        sa.ForeignKey("user_account.id"), default=None
    )
