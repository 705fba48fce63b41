"""Runs plan jobs in the background, inside the web process (the jobs row is the queue)."""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

import anyio.to_thread
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import ChatModel, ModelError
from agents.plan import PlanRequest, PlanResult, draft_plan
from app.db.models import AgentRun
from app.db.models.enums import RunStatus
from app.domain.agents.runtime import AgentRuntime
from app.domain.plans import services
from app.domain.suggestions.rhythm import Rhythm
from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.settings import Settings

log = structlog.get_logger("interlude.plans")


class PlanWorker:
    def __init__(
        self, sessions: Callable[[], AsyncSession], runtime: AgentRuntime, settings: Settings
    ) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._settings = settings
        self._loop = PollingLoop("plans", self.run_once, settings.job_poll_seconds)

    def wake(self) -> None:
        self._loop.wake()

    async def start(self) -> None:
        async with self._sessions() as db, db.begin():
            requeued = await services.requeue_interrupted(db)
        if requeued:
            log.info("plan_runs_requeued", runs=requeued)
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def run_once(self) -> int:
        """Run the plan jobs that are due now; returns how many were handled."""
        async with self._sessions() as db, db.begin():
            claimed = await services.claim_due(db, utcnow())
        for run_id in claimed:
            await self._run(run_id)
        return len(claimed)

    async def _run(self, run_id: UUID) -> None:
        async with self._sessions() as db, db.begin():
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            request = await services.plan_request(db, run)
        started = time.perf_counter()
        try:
            result = await self._draft(request, self._runtime.llm)
        except ModelError as error:
            await self._model_failed(run_id, request, error)
            return
        except Exception as error:
            await self._failed(run_id, error)
            return
        await self._save(run_id, request, result, started)

    async def _draft(self, request: PlanRequest, llm: ChatModel | None) -> PlanResult:
        retriever = self._runtime.knowledge.organization(request.organization_id).retriever()
        return await anyio.to_thread.run_sync(draft_plan, request, retriever, llm)

    async def _save(
        self, run_id: UUID, request: PlanRequest, result: PlanResult, started: float
    ) -> None:
        latency_ms = round((time.perf_counter() - started) * 1000)
        async with self._sessions() as db, db.begin():
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

    async def _model_failed(self, run_id: UUID, request: PlanRequest, error: ModelError) -> None:
        async with self._sessions() as db, db.begin():
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            message = f"model {error.kind}: {error}"
            if error.retryable and run.attempts < self._settings.plan_max_attempts:
                services.schedule_retry(run, message, self._settings.plan_retry_seconds)
                log.warning("plan_model_failed", run_id=str(run_id), kind=error.kind, retry=True)
                return
            # The last attempt failed too: the composer's plan is saved, marked as a fallback,
            # so the coach is never left with nothing.
            run.fallback_used = True
            run.error = message
            run.details = {
                **run.details,
                "fallback_reason": f"the model failed {run.attempts} time(s): {error.kind}",
            }
        log.warning("plan_model_failed", run_id=str(run_id), kind=error.kind, retry=False)
        started = time.perf_counter()
        result = await self._draft(request, None)
        await self._save(run_id, request, result, started)

    async def _failed(self, run_id: UUID, error: Exception) -> None:
        log.exception("plan_run_error", run_id=str(run_id))
        async with self._sessions() as db, db.begin():
            run = await db.get(AgentRun, run_id)
            if run is None:
                return
            message = f"{type(error).__name__}: {error}"[:500]
            if run.attempts < self._settings.plan_max_attempts:
                services.schedule_retry(run, message, self._settings.plan_retry_seconds)
            else:
                run.status = RunStatus.FAILED.value
                run.error = message
