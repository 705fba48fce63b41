"""Plan jobs: one durable run per session (and generation), claimed by a background worker.

The `agent_run` row is the job: created when the coach logs a session, claimed (`running`,
leased to one process: app/lib/leases.py), then `done` with its drafts saved, or `retrying`
after a failure until the last attempt, which saves the composer's plan instead and says so.
A run whose process died (its lease passed) goes back in the queue; one whose process is
alive is never run twice.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
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
from app.db.models.enums import Language, Role, RunStatus
from app.domain import access
from app.domain.suggestions.rhythm import Rhythm
from app.domain.suggestions.schemas import DraftItem
from app.domain.suggestions.services import DEFAULT_RHYTHM, create_drafts
from app.lib.clock import utcnow
from app.lib.errors import NotFound
from app.lib.identity import Identity
from app.lib.leases import JobTable

PLAN = "plan"
DUE = (RunStatus.QUEUED.value, RunStatus.RETRYING.value)


async def run_for_coach(db: AsyncSession, identity: Identity, run_id: UUID) -> AgentRun:
    """The run behind a draft or a brief: its learner's coach's business only."""
    identity.require_role(Role.COACH)
    return await access.one_visible(
        db, AgentRun, run_id, access.visible_runs(identity), what="agent run", field="run_id"
    )


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
        modules=tuple(ModuleInfo(m.title, m.skill, tuple(m.reflection_prompts)) for m in modules),
        bank=tuple(BankQuestion(q.skill, q.scale.value, q.language.value, q.text) for q in bank),
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
