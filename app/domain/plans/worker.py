"""Runs plan jobs in the background, inside the web process (the jobs row is the queue).

The worker only orchestrates: it claims runs (leased to this process, app/lib/leases.py, and
renewed while it drafts), runs the agent, and hands each outcome to `PlanJobs`, which owns the
run's state. Results are fenced: written only in a transaction that first checks the lease is
still ours, so a run taken over by another process (ours was thought dead) never saves its
drafts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import ChatModel
from agents.plan import PlanRequest, PlanResult, draft_plan
from app.domain.agents.executor import Done, Failure, model_name, run_agent
from app.domain.agents.runtime import AgentRuntime
from app.domain.plans.jobs import PLAN_JOBS, PlanJobs
from app.domain.plans.services import PLAN
from app.lib.clock import utcnow
from app.lib.leases import LeasedWorker
from app.settings import Settings


class PlanWorker(LeasedWorker):
    name = "plans"
    batch = 5

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        runtime: AgentRuntime,
        settings: Settings,
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        super().__init__(
            sessions,
            PLAN_JOBS,
            poll_seconds=settings.job_poll_seconds,
            lease_seconds=settings.job_lease_seconds,
            renew_seconds=settings.job_lease_renew_seconds,
            holder=holder,
            clock=clock,
            tracer=runtime.tracer,
        )
        self._runtime = runtime
        self.jobs = PlanJobs(sessions, settings, self.leases.fence)

    async def run(self, run_id: UUID) -> None:
        """Run one plan job this worker claimed; its results are written only if it still
        holds the run."""
        request = await self.jobs.prepare(run_id)
        if request is None:
            return
        outcome = await self._draft(request, self._runtime.llm)
        if isinstance(outcome, Failure) and outcome.from_model:
            if not await self.jobs.model_failed(run_id, outcome):
                return  # retried later (or no longer ours)
            outcome = await self._draft(request, None)  # the last attempt: the composer's plan
        if isinstance(outcome, Done):
            await self.jobs.save(run_id, request, outcome)
        else:
            await self.jobs.failed(run_id, outcome)

    async def _draft(
        self, request: PlanRequest, llm: ChatModel | None
    ) -> Done[PlanResult] | Failure:
        def draft() -> PlanResult:
            retriever = self._runtime.knowledge.organization(request.organization_id).retriever()
            return draft_plan(request, retriever, llm)

        return await run_agent(PLAN, draft, tracer=self._runtime.tracer, model=model_name(llm))
