from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AgentRun
from app.domain.agents.runtime import AgentRuntime
from app.domain.briefs.services import latest_brief, write_brief
from app.lib.identity import Identity
from app.lib.openapi import errors


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
            run.id,
            run.learner_id,
            run.created_at,
            run.provider,
            run.fallback_used,
            run.details.get("brief", {}),
        )


class BriefController(Controller):
    path = "/api/v1/learners/{learner_id:uuid}/brief"
    tags = ["briefs"]

    @post(
        "/",
        summary="Write the pre-session brief for one of my learners (coach)",
        responses=errors(503),
    )
    async def write(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        agents: NamedDependency[AgentRuntime],
        learner_id: FromPath[UUID],
    ) -> BriefOut:
        """Writes a brief before the next session with this learner. When the model fails and the
        fallback too, 503 with Retry-After. Coach only."""
        run = await write_brief(db_session, identity, agents, learner_id)
        return BriefOut.of(run)

    @get("/", summary="The latest brief for one of my learners (coach)")
    async def latest(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        learner_id: FromPath[UUID],
    ) -> BriefOut:
        """The latest pre-session brief written for this learner, if any. Coach only."""
        return BriefOut.of(await latest_brief(db_session, identity, learner_id))
