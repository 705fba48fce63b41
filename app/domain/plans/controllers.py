"""A session's plan job, and the record of any agent run, for the learner's coach."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.plans.schemas import AgentRunOut, PlanRequestIn
from app.domain.plans.services import enqueue_plan, latest_plan, run_for_coach
from app.lib.background import Waker
from app.lib.errors import NotFound
from app.lib.identity import Identity


async def _coach_session(db: AsyncSession, identity: Identity, session_id: UUID) -> CoachingSession:
    identity.require_role(Role.COACH)
    return await access.one_visible(
        db,
        CoachingSession,
        session_id,
        access.visible_sessions(identity),
        what="session",
        field="session_id",
    )


class PlanController(Controller):
    tags = ["plans"]

    @get("/api/v1/sessions/{session_id:uuid}/plan", summary="The session's plan job (coach)")
    async def get_plan(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        session_id: FromPath[UUID],
    ) -> AgentRunOut:
        """The plan job of one of the coach's sessions and its state."""
        session = await _coach_session(db_session, identity, session_id)
        run = await latest_plan(db_session, session.id)
        if run is None:
            raise NotFound(
                "No plan was requested for this session: POST to this address to draft one.",
                field="session_id",
            )
        return AgentRunOut.of(run)

    @post(
        "/api/v1/sessions/{session_id:uuid}/plan",
        summary="Draft the session's plan (idempotent), or another one with again=true (coach)",
    )
    async def request_plan(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        plan_worker: NamedDependency[Waker],
        session_id: FromPath[UUID],
        data: JSONBody[PlanRequestIn],
    ) -> Response[AgentRunOut]:
        """Queues the drafting of the session's plan; asking again returns the same job,
        `again=true` drafts another. Drafts wait for the coach's review. Coach only."""
        session = await _coach_session(db_session, identity, session_id)
        run, created = await enqueue_plan(db_session, session, identity.user_id, again=data.again)
        if created:
            audit.record(
                db_session,
                organization_id=identity.organization_id,
                actor_id=identity.user_id,
                action="plan.request",
                target_type="agent_run",
                target_id=run.id,
            )
        await db_session.refresh(run)
        return Response(
            AgentRunOut.of(run),
            status_code=HTTP_202_ACCEPTED if created else HTTP_200_OK,
            background=BackgroundTask(plan_worker.wake),
        )

    @get("/api/v1/agent-runs/{run_id:uuid}", summary="One agent run: what it used (coach)")
    async def get_run(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        run_id: FromPath[UUID],
    ) -> AgentRunOut:
        """One agent run on the coach's learners: what it used to draft (provider, passages,
        fallback)."""
        return AgentRunOut.of(await run_for_coach(db_session, identity, run_id))
