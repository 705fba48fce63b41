"""Plan jobs as the coach sees them: one durable run per session (and generation).

The `agent_run` row is the job. `PlanService` (a request's, bound to its session and identity)
queues it (`queued`: `enqueue_plan`, also called when a coach logs a session with a plan) and
reads it; what happens to it once queued (claimed, `running`, then `done`, `retrying` or
`failed`) is written by jobs.py alone, the worker only orchestrating.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import AgentRun, CoachingSession
from app.db.models.enums import Role, RunStatus
from app.domain import access, audit
from app.lib.errors import NotFound
from app.lib.identity import Identity

PLAN = "plan"


async def latest_plan(db: AsyncSession, session_id: UUID) -> AgentRun | None:
    result: AgentRun | None = await db.scalar(
        select(AgentRun)
        .where(AgentRun.session_id == session_id, AgentRun.kind == PLAN)
        .order_by(AgentRun.generation.desc())
        .limit(1)
    )
    return result


async def enqueue_plan(
    db: AsyncSession, session: CoachingSession, requested_by: UUID, *, again: bool = False
) -> tuple[AgentRun, bool]:
    """The session's plan run; a new one only if there is none or the coach asks `again`.

    Returns (run, created). Two identical requests racing get one run: the unique
    (session, kind, generation) constraint refuses the second insert.
    """
    latest = await latest_plan(db, session.id)
    if latest is not None and not again:
        return latest, False
    run = AgentRun(
        organization_id=session.organization_id,
        kind=PLAN,
        session_id=session.id,
        learner_id=session.learner_id,
        requested_by_id=requested_by,
        status=RunStatus.QUEUED.value,
        generation=latest.generation + 1 if latest else 0,
    )
    try:
        async with db.begin_nested():
            db.add(run)
            await db.flush()
    except IntegrityError:
        found = await latest_plan(db, session.id)
        if found is None:
            raise
        return found, False
    return run, True


class PlanService:
    """A coach's plan jobs: their sessions' plans, and the record of any agent run on their
    learners."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def _session(self, session_id: UUID) -> CoachingSession:
        self.identity.require_role(Role.COACH)
        return await access.one_visible(
            self.db,
            CoachingSession,
            session_id,
            access.visible_sessions(self.identity),
            what="session",
            field="session_id",
        )

    async def get(self, session_id: UUID) -> AgentRun:
        """The latest plan job of one of the coach's sessions."""
        session = await self._session(session_id)
        run = await latest_plan(self.db, session.id)
        if run is None:
            raise NotFound(
                "No plan was requested for this session: POST to this address to draft one.",
                field="session_id",
            )
        return run

    async def request(self, session_id: UUID, *, again: bool) -> tuple[AgentRun, bool]:
        """The session's plan job, queued unless there is one and not `again`; (run, created).
        The caller wakes the plan worker once the transaction is committed."""
        session = await self._session(session_id)
        run, created = await enqueue_plan(self.db, session, self.identity.user_id, again=again)
        if created:
            audit.record(
                self.db,
                organization_id=self.identity.organization_id,
                actor_id=self.identity.user_id,
                action="plan.request",
                target_type="agent_run",
                target_id=run.id,
            )
        await self.db.refresh(run)
        return run, created

    async def run(self, run_id: UUID) -> AgentRun:
        """The run behind a draft or a brief: its learner's coach's business only."""
        self.identity.require_role(Role.COACH)
        return await access.one_visible(
            self.db,
            AgentRun,
            run_id,
            access.visible_runs(self.identity),
            what="agent run",
            field="run_id",
        )
