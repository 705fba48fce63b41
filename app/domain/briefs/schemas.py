from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from app.db.models import AgentRun


class BriefOut(msgspec.Struct):
    """Open safety alerts and what is new since the session, answers, themes, progress on
    agreed actions, open questions, what to explore; each point cites the learner's answers,
    (shared) messages and journal entries, or the alerts, it draws on."""

    run_id: UUID
    learner_id: UUID | None
    created_at: datetime
    provider: str
    fallback_used: bool
    brief: dict[str, Any]

    @classmethod
    def of(cls, run: AgentRun) -> BriefOut:
        return cls(
            run_id=run.id,
            learner_id=run.learner_id,
            created_at=run.created_at,
            provider=run.provider,
            fallback_used=run.fallback_used,
            brief=run.details.get("brief", {}),
        )
