from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from app.db.models import AgentRun


class PlanRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    # False: return the session's current plan run (idempotent). True: draft another plan.
    again: bool = False


class AgentRunOut(msgspec.Struct):
    """What an agent run used and how it ended; no prompt text, no secrets."""

    id: UUID
    kind: str
    status: str
    session_id: UUID | None
    learner_id: UUID | None
    generation: int
    attempts: int
    run_after: datetime | None
    provider: str
    model: str
    prompt_version: str
    retrieved_ids: list[str]
    tokens_in: int
    tokens_out: int
    latency_ms: int
    fallback_used: bool
    error: str
    details: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, run: AgentRun) -> AgentRunOut:
        return cls(
            id=run.id,
            kind=run.kind,
            status=run.status,
            session_id=run.session_id,
            learner_id=run.learner_id,
            generation=run.generation,
            attempts=run.attempts,
            run_after=run.run_after,
            provider=run.provider,
            model=run.model,
            prompt_version=run.prompt_version,
            retrieved_ids=run.retrieved_ids,
            tokens_in=run.tokens_in,
            tokens_out=run.tokens_out,
            latency_ms=run.latency_ms,
            fallback_used=run.fallback_used,
            error=run.error,
            details=run.details,
            created_at=run.created_at,
            updated_at=run.updated_at,
        )
