"""Runs plan jobs in the background, inside the web process (the jobs row is the queue).

Each run is leased to this process (app/lib/leases.py) and renewed while it drafts; its
results are fenced: written only in a transaction that first checks the lease is still ours,
so a run taken over by another process (ours was thought dead) never saves its drafts twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from uuid import UUID

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import ChatModel
from agents.plan import PlanRequest, PlanResult, draft_plan
from app.db.models import AgentRun
from app.db.models.enums import RunStatus
from app.domain.agents.executor import Done, Failure, model_name, run_agent
from app.domain.agents.runtime import AgentRuntime
from app.domain.plans import services
from app.domain.plans.services import PLAN
from app.domain.suggestions.rhythm import Rhythm
from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.lib.leases import LeaseKeeper, process_id
from app.settings import Settings

log = structlog.get_logger("interlude.plans")
CLAIM_BATCH = 5


class PlanWorker:
    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        runtime: AgentRuntime,
        settings: Settings,
        *,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._settings = settings
        self._loop = PollingLoop(
            "plans", self.run_once, settings.job_poll_seconds, tracer=runtime.tracer
        )
        self.leases = LeaseKeeper(
            "plans",
            sessions,
            services.PLAN_JOBS,
            holder=holder or process_id(),
            lease_seconds=settings.job_lease_seconds,
            renew_seconds=settings.job_lease_renew_seconds,
            clock=clock,
        )

    def wake(self) -> None:
        self._loop.wake()

    async def start(self) -> None:
        await self.leases.start()  # re-queues only the runs of dead processes
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self.leases.stop()

    async def run_once(self) -> int:
        """Run the plan jobs that are due now; returns how many were handled."""
        claimed = await self.leases.claim(CLAIM_BATCH)
        for run_id in claimed:
            try:
                await self.run(run_id)
            finally:
                self.leases.release(run_id)
        return len(claimed)

    async def run(self, run_id: UUID) -> None:
        """Run one plan job this worker claimed; its results are written only if it still
        holds the run."""
        async with self._sessions() as db, db.begin():
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            request = await services.plan_request(db, run)
        outcome = await self._draft(request, self._runtime.llm)
        if isinstance(outcome, Done):
            await self._save(run_id, request, outcome)
        elif outcome.from_model:
            await self._model_failed(run_id, request, outcome)
        else:
            await self._failed(run_id, outcome)

    async def _draft(
        self, request: PlanRequest, llm: ChatModel | None
    ) -> Done[PlanResult] | Failure:
        def draft() -> PlanResult:
            retriever = self._runtime.knowledge.organization(request.organization_id).retriever()
            return draft_plan(request, retriever, llm)

        return await run_agent(PLAN, draft, tracer=self._runtime.tracer, model=model_name(llm))

    async def _save(self, run_id: UUID, request: PlanRequest, done: Done[PlanResult]) -> None:
        result, latency_ms = done.value, done.latency_ms
        async with self._sessions() as db, db.begin():
            # Fenced: still ours (and not erased meanwhile), or nothing is written.
            if not await self.leases.fence(db, run_id):
                return
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            items = await services.save_plan(
                db, run, result, request.language, latency_ms, Rhythm.from_settings(self._settings)
            )
        log.info(
            "plan_drafted",
            run_id=str(run_id),
            items=items,
            provider=result.provider,
            fallback=result.fallback_used,
            latency_ms=latency_ms,
        )

    async def _model_failed(self, run_id: UUID, request: PlanRequest, failure: Failure) -> None:
        async with self._sessions() as db, db.begin():
            # Fenced: still ours (and not erased meanwhile), or nothing is written.
            if not await self.leases.fence(db, run_id):
                return
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            message = f"model {failure.kind}: {failure.error}"
            if failure.retryable and run.attempts < self._settings.plan_max_attempts:
                services.schedule_retry(run, message, self._settings.plan_retry_seconds)
                log.warning("plan_model_failed", run_id=str(run_id), kind=failure.kind, retry=True)
                return
            # The last attempt failed too: the composer's plan is saved, marked as a fallback,
            # so the coach is never left with nothing.
            run.fallback_used = True
            run.error = message
            run.details = {
                **run.details,
                "fallback_reason": f"the model failed {run.attempts} time(s): {failure.kind}",
            }
        log.warning("plan_model_failed", run_id=str(run_id), kind=failure.kind, retry=False)
        outcome = await self._draft(request, None)
        if isinstance(outcome, Done):
            await self._save(run_id, request, outcome)
        else:
            await self._failed(run_id, outcome)

    async def _failed(self, run_id: UUID, failure: Failure) -> None:
        async with self._sessions() as db, db.begin():
            # Fenced: still ours (and not erased meanwhile), or nothing is written.
            if not await self.leases.fence(db, run_id):
                return
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            if run.attempts < self._settings.plan_max_attempts:
                services.schedule_retry(run, failure.record, self._settings.plan_retry_seconds)
            else:
                run.status = RunStatus.FAILED.value
                run.error = failure.record
