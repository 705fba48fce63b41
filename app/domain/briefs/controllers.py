"""A coach's pre-session brief on one of their learners."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.agents.runtime import AgentRuntime
from app.domain.briefs.schemas import BriefOut
from app.domain.briefs.services import BriefService
from app.lib.identity import Identity
from app.lib.openapi import errors


def provide_briefs(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> BriefService:
    return BriefService(db_session, identity)


class BriefController(Controller):
    path = "/api/v1/learners/{learner_id:uuid}/brief"
    tags = ["briefs"]
    dependencies = {"briefs": Provide(provide_briefs, sync_to_thread=False)}

    @post(
        "/",
        summary="Write the pre-session brief for one of my learners (coach)",
        responses=errors(503),
    )
    async def write(
        self,
        briefs: NamedDependency[BriefService],
        agents: NamedDependency[AgentRuntime],
        learner_id: FromPath[UUID],
    ) -> BriefOut:
        """Writes a brief before the next session with this learner. When the model fails and the
        fallback too, 503 with Retry-After. Coach only."""
        return BriefOut.of(await briefs.write(agents, learner_id))

    @get("/", summary="The latest brief for one of my learners (coach)")
    async def latest(
        self, briefs: NamedDependency[BriefService], learner_id: FromPath[UUID]
    ) -> BriefOut:
        """The latest pre-session brief written for this learner, if any. Coach only."""
        return BriefOut.of(await briefs.latest(learner_id))
