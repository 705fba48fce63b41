"""A plan job's states after it was queued, each written in its own transaction.

A process claims a due run (`PLAN_JOBS`: `running`, leased to that process by
app/lib/leases.py), reads what the agent needs (`PlanJobs.prepare`), then after the agent ran
saves its drafts (`done`), or schedules a retry (`retrying`), or at the last attempt saves the
composer's plan instead and says so, or records the failure (`failed`). The worker
(worker.py) only claims, runs the agent and keeps the lease; every state is written here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from uuid import UUID

import structlog
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.plan import BankQuestion, ModuleInfo, PlanRequest, PlanResult
from app.db.models import (
    AgentRun,
    CoachingSession,
    Enrollment,
    Program,
    ProgramModule,
    QuestionBankEntry,
    User,
)
from app.db.models.enums import Language, RunStatus
from app.domain.agents.executor import Done, Failure
from app.domain.plans.services import PLAN
from app.domain.suggestions.rhythm import Rhythm
from app.domain.suggestions.schemas import DraftItem
from app.domain.suggestions.services import DEFAULT_RHYTHM, create_drafts
from app.lib.clock import utcnow
from app.lib.errors import NotFound
from app.lib.leases import JobTable
from app.settings import Settings

log = structlog.get_logger("interlude.plans")
DUE = (RunStatus.QUEUED.value, RunStatus.RETRYING.value)

PLAN_JOBS = JobTable(
    model=AgentRun,
    running=RunStatus.RUNNING.value,
    queued=RunStatus.QUEUED.value,
    due_statuses=DUE,
    scope=(AgentRun.kind == PLAN,),
    ready=lambda now: (or_(AgentRun.run_after.is_(None), AgentRun.run_after <= now),),
    claim_values={"attempts": AgentRun.attempts + 1},
)


async def plan_request(db: AsyncSession, run: AgentRun) -> PlanRequest:
    """Everything the plan agent reads, as plain data, from this organisation only."""
    session = await db.get(CoachingSession, run.session_id)
    if session is None or session.organization_id != run.organization_id:
        raise NotFound("The run's session no longer exists.")
    enrollment = await db.get(Enrollment, session.enrollment_id)
    learner = await db.get(User, session.learner_id)
    if enrollment is None or learner is None:
        raise NotFound("The session's enrollment no longer exists.")
    program = await db.get(Program, enrollment.program_id)
    modules = (
        await db.scalars(
            select(ProgramModule)
            .where(ProgramModule.program_id == enrollment.program_id)
            .order_by(ProgramModule.position)
        )
    ).all()
    bank = (
        await db.scalars(
            select(QuestionBankEntry)
            .where(QuestionBankEntry.organization_id == run.organization_id)
            .order_by(QuestionBankEntry.id)
        )
    ).all()
    return PlanRequest(
        organization_id=str(run.organization_id),
        language=learner.locale.value,
        goal=session.goal or enrollment.goal,
        notes=session.notes,
        focus_skills=tuple(session.focus_skills),
        agreed_actions=tuple(session.agreed_actions),
        program_name=program.name if program else "",
        modules=tuple(
            ModuleInfo(title=m.title, skill=m.skill, reflection_prompts=tuple(m.reflection_prompts))
            for m in modules
        ),
        bank=tuple(
            BankQuestion(skill=q.skill, scale=q.scale.value, language=q.language.value, text=q.text)
            for q in bank
        ),
        seed=f"{session.id}:{run.generation}",
    )


async def save_plan(
    db: AsyncSession,
    run: AgentRun,
    result: PlanResult,
    language: str,
    latency_ms: int,
    rhythm: Rhythm = DEFAULT_RHYTHM,
) -> int:
    """Drafts for the coach (always pending_review) and the run's record, in one transaction."""
    session = await db.get(CoachingSession, run.session_id)
    if session is None:
        raise NotFound("The run's session no longer exists.")
    items = [
        DraftItem(
            kind=item.kind,  # type: ignore[arg-type]
            text=item.text,
            rationale=item.rationale,
            citations=[dict(c) for c in item.citations],
            skill=item.skill,
            language=Language(language),
        )
        for item in result.items
    ]
    await create_drafts(db, session=session, items=items, run_id=run.id, rhythm=rhythm)
    run.status = RunStatus.DONE.value
    run.provider = result.provider
    run.model = result.model
    run.prompt_version = result.prompt_version
    run.retrieved_ids = result.retrieved_ids
    run.tokens_in, run.tokens_out = result.tokens_in, result.tokens_out
    run.latency_ms = latency_ms
    run.fallback_used = run.fallback_used or result.fallback_used
    run.details = {
        **run.details,
        "items": len(items),
        "model_calls": result.model_calls,
        "fallback_reason": run.details.get("fallback_reason") or result.fallback_reason,
        "rejected_problems": result.problems[:12],
        "composer_problems": result.composer_problems,
    }
    return len(items)


def schedule_retry(run: AgentRun, error: str, retry_seconds: float) -> None:
    """Back off exponentially: 1x, 2x, 4x the base delay."""
    run.status = RunStatus.RETRYING.value
    run.error = error
    run.run_after = utcnow() + timedelta(seconds=retry_seconds * 2 ** max(run.attempts - 1, 0))


Fence = Callable[[AsyncSession, UUID], Awaitable[bool]]


class PlanJobs:
    """A claimed plan run's states after the claim, each written in its own transaction.

    Every write is fenced (`fence`: the worker's lease check, made first in the transaction),
    so a run taken over by another process (ours was thought dead), or erased meanwhile, is
    left as it is and its drafts are never saved twice.
    """

    def __init__(
        self, sessions: Callable[[], AsyncSession], settings: Settings, fence: Fence
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._fence = fence

    async def prepare(self, run_id: UUID) -> PlanRequest | None:
        """What the agent reads for this run; None when the run is gone."""
        async with self._sessions() as db, db.begin():
            run = await db.get(AgentRun, run_id)
            return None if run is None else await plan_request(db, run)

    @asynccontextmanager
    async def _held(self, run_id: UUID) -> AsyncIterator[tuple[AsyncSession, AgentRun | None]]:
        """The run in a transaction whose writes count only if the lease is still ours (None:
        it is not, or the run is gone; write nothing)."""
        async with self._sessions() as db, db.begin():
            held = await self._fence(db, run_id)
            yield db, await db.get(AgentRun, run_id) if held else None

    async def save(self, run_id: UUID, request: PlanRequest, done: Done[PlanResult]) -> None:
        """`done`, with the drafts for the coach's review."""
        result, latency_ms = done.value, done.latency_ms
        rhythm = Rhythm.from_settings(self._settings)
        async with self._held(run_id) as (db, run):
            if run is None:
                return
            items = await save_plan(db, run, result, request.language, latency_ms, rhythm)
        log.info(
            "plan_drafted",
            run_id=str(run_id),
            items=items,
            provider=result.provider,
            fallback=result.fallback_used,
            latency_ms=latency_ms,
        )

    async def model_failed(self, run_id: UUID, failure: Failure) -> bool:
        """`retrying` while attempts remain; at the last one, whether the caller drafts the
        composer's plan now (True: the run is marked as a fallback, so the coach is never
        left with nothing)."""
        message = f"model {failure.kind}: {failure.error}"
        async with self._held(run_id) as (_, run):
            if run is None:
                return False
            if failure.retryable and run.attempts < self._settings.plan_max_attempts:
                schedule_retry(run, message, self._settings.plan_retry_seconds)
                log.warning("plan_model_failed", run_id=str(run_id), kind=failure.kind, retry=True)
                return False
            run.fallback_used = True
            run.error = message
            run.details = {
                **run.details,
                "fallback_reason": f"the model failed {run.attempts} time(s): {failure.kind}",
            }
        log.warning("plan_model_failed", run_id=str(run_id), kind=failure.kind, retry=False)
        return True

    async def failed(self, run_id: UUID, failure: Failure) -> None:
        """`retrying` while attempts remain, then `failed` with the cause."""
        async with self._held(run_id) as (_, run):
            if run is None:
                return
            if run.attempts < self._settings.plan_max_attempts:
                schedule_retry(run, failure.record, self._settings.plan_retry_seconds)
            else:
                run.status = RunStatus.FAILED.value
                run.error = failure.record
