"""A session's plan job, and the record of any agent run, for the learner's coach."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.plans.schemas import AgentRunOut, PlanRequestIn
from app.domain.plans.services import PlanService
from app.lib.background import Waker
from app.lib.identity import Identity


def provide_plans(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> PlanService:
    return PlanService(db_session, identity)


class PlanController(Controller):
    tags = ["plans"]
    dependencies = {"plans": Provide(provide_plans, sync_to_thread=False)}

    @get("/api/v1/sessions/{session_id:uuid}/plan", summary="The session's plan job (coach)")
    async def get_plan(
        self, plans: NamedDependency[PlanService], session_id: FromPath[UUID]
    ) -> AgentRunOut:
        """The plan job of one of the coach's sessions and its state."""
        return AgentRunOut.of(await plans.get(session_id))

    @post(
        "/api/v1/sessions/{session_id:uuid}/plan",
        summary="Draft the session's plan (idempotent), or another one with again=true (coach)",
    )
    async def request_plan(
        self,
        plans: NamedDependency[PlanService],
        plan_worker: NamedDependency[Waker],
        session_id: FromPath[UUID],
        data: JSONBody[PlanRequestIn],
    ) -> Response[AgentRunOut]:
        """Queues the drafting of the session's plan; asking again returns the same job,
        `again=true` drafts another. Drafts wait for the coach's review. Coach only."""
        run, created = await plans.request(session_id, again=data.again)
        return Response(
            AgentRunOut.of(run),
            status_code=HTTP_202_ACCEPTED if created else HTTP_200_OK,
            background=BackgroundTask(plan_worker.wake),
        )

    @get("/api/v1/agent-runs/{run_id:uuid}", summary="One agent run: what it used (coach)")
    async def get_run(
        self, plans: NamedDependency[PlanService], run_id: FromPath[UUID]
    ) -> AgentRunOut:
        """One agent run on the coach's learners: what it used to draft (provider, passages,
        fallback)."""
        return AgentRunOut.of(await plans.run(run_id))
