"""Company events on the learner's path: a question to prepare each event, one to draw lessons.

An event is a knowledge document of kind `event` with a date (front matter `event_date`, or the
upload form). From `event_prepare_days` before it, each learner on an active enrollment gets a
preparation question; from the day after it until `event_debrief_days` after, a lessons-learned
question. Both are drafted by the plan agent from the event's passage (agents/plan/event.py)
and start pending review: the coach approves, edits or rejects them like any draft.

The job runs every `event_poll_seconds` in the web process. A learner gets at most one draft per
event and phase: the database refuses a second one (`uq_suggestion_event`), so a restart or a
second worker drafting at the same moment changes nothing. Each draft has its run (`agent_run`
of kind `event`: what the agent used, shown to the coach); a failure is a failed run, and the
next pass tries that learner again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agents.plan.event import EventDraft, EventRequest, Phase, draft_event_question
from app.db.models import (
    AgentRun,
    CoachingSession,
    Document,
    Enrollment,
    Organization,
    Suggestion,
    User,
)
from app.db.models.enums import DocumentStatus, RunStatus, SuggestionKind, SuggestionState
from app.domain.agents.executor import Failure, model_name, run_agent
from app.domain.agents.runtime import AgentRuntime
from app.domain.organizations.schemas import Policy
from app.domain.suggestions.rhythm import Rhythm
from app.domain.webhooks import events as webhooks
from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.settings import Settings

log = structlog.get_logger("interlude.events")
EVENT_KIND = "event"
EVENT_RUN = "event"  # the agent_run kind of an event question
# A preparation question arrives this long before the event (or at approval when later).
PREPARE_LEAD = timedelta(days=2)
WEEK = 7


@dataclass(frozen=True, slots=True)
class DueDraft:
    """One learner who should get a question for one event's phase."""

    organization_id: UUID
    event_id: UUID
    event_title: str
    event_date: date
    phase: Phase
    learner_id: UUID
    coach_id: UUID
    language: str
    goal: str
    skill: str
    rhythm: Rhythm  # the organisation's


def phase_on(today: date, event_date: date, settings: Settings) -> Phase | None:
    """Which question an event calls for today: none on its day and outside the windows."""
    if event_date - timedelta(days=settings.event_prepare_days) <= today < event_date:
        return "prepare"
    if event_date < today <= event_date + timedelta(days=settings.event_debrief_days):
        return "debrief"
    return None


def proposed_delivery(
    phase: Phase, event_date: date, now: datetime, rhythm: Rhythm
) -> datetime | None:
    """A preparation two days before the event, a debrief the day after, each moved to the
    nearest working day that is not a day off (earlier for a preparation, later for a
    debrief), at the delivery hour (local time); None (delivered when approved) when that
    moment has passed."""
    step = timedelta(days=-1 if phase == "prepare" else 1)
    day = event_date - PREPARE_LEAD if phase == "prepare" else event_date + timedelta(days=1)
    for _ in range(WEEK):
        if day.weekday() in rhythm.weekdays and day not in rhythm.days_off:
            break
        day += step
    zone = ZoneInfo(rhythm.time_zone)
    moment = datetime.combine(day, time(hour=rhythm.hour), zone).astimezone(UTC)
    return moment if moment > now else None


async def due_drafts(db: AsyncSession, today: date, settings: Settings) -> list[DueDraft]:
    """Every (event, phase, learner) owed a draft today and not drafted yet, all organisations."""
    earliest = today - timedelta(days=settings.event_debrief_days)
    latest = today + timedelta(days=settings.event_prepare_days)
    events = (
        await db.scalars(
            select(Document).where(
                Document.kind == EVENT_KIND,
                Document.status == DocumentStatus.INDEXED,
                Document.event_date.is_not(None),
                Document.event_date.between(earliest, latest),
            )
        )
    ).all()
    due: list[DueDraft] = []
    rhythms: dict[UUID, Rhythm] = {}
    for event in events:
        phase = phase_on(today, event.event_date, settings) if event.event_date else None
        if phase is None or event.event_date is None:
            continue
        drafted = select(Suggestion.learner_id).where(
            Suggestion.event_document_id == event.id, Suggestion.event_phase == phase
        )
        rows = await db.execute(
            select(Enrollment, User.locale)
            .join(User, User.id == Enrollment.learner_id)
            .where(
                Enrollment.organization_id == event.organization_id,
                Enrollment.is_active.is_(True),
                User.is_active.is_(True),
                User.erased_at.is_(None),
                Enrollment.learner_id.not_in(drafted),
            )
            .order_by(Enrollment.learner_id)
        )
        if event.organization_id not in rhythms:
            organization = await db.get(Organization, event.organization_id)
            policy = Policy.load(organization.policy if organization else {})
            rhythms[event.organization_id] = Rhythm.from_settings(settings).with_policy(policy)
        seen: set[UUID] = set()  # a learner on two programs gets one question
        for enrollment, locale in rows.all():
            if enrollment.learner_id in seen:
                continue
            seen.add(enrollment.learner_id)
            goal, skill = await _goal_of(db, enrollment)
            due.append(
                DueDraft(
                    organization_id=event.organization_id,
                    event_id=event.id,
                    event_title=event.title or event.name,
                    event_date=event.event_date,
                    phase=phase,
                    learner_id=enrollment.learner_id,
                    coach_id=enrollment.coach_id,
                    language=str(locale),
                    goal=goal,
                    skill=skill,
                    rhythm=rhythms[event.organization_id],
                )
            )
    return due


async def _goal_of(db: AsyncSession, enrollment: Enrollment) -> tuple[str, str]:
    """The goal of the enrollment's last session (else the enrollment's), and its first skill."""
    last = await db.scalar(
        select(CoachingSession)
        .where(CoachingSession.enrollment_id == enrollment.id)
        .order_by(CoachingSession.held_at.desc())
        .limit(1)
    )
    if last is None:
        return enrollment.goal, ""
    return (last.goal or enrollment.goal), (last.focus_skills or [""])[0]


class EventDrafter:
    """Drafts the event questions due, every `event_poll_seconds` while the app runs. Tests
    call `run_once` with the clock they choose."""

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        runtime: AgentRuntime,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._settings = settings
        self._clock = clock
        # One interval after start, not at once: windows last days, so an hour late is on time,
        # and an app started for a moment (a test, a CLI) drafts nothing it did not ask for.
        self._loop = PollingLoop(
            "events",
            self.run_once,
            settings.event_poll_seconds,
            wait_first=True,
            tracer=runtime.tracer,
        )

    async def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def run_once(self) -> int:
        """One pass; returns how many drafts were saved."""
        now = self._clock()
        zone = ZoneInfo(self._settings.delivery_time_zone)
        async with self._sessions() as db:
            due = await due_drafts(db, now.astimezone(zone).date(), self._settings)
        saved = 0
        for owed in due:
            saved += await self._draft(owed, now)
        if due:
            log.info("event_drafts", due=len(due), saved=saved)
        return saved

    async def _draft(self, owed: DueDraft, now: datetime) -> int:
        request = EventRequest(
            organization_id=str(owed.organization_id),
            language=owed.language,
            phase=owed.phase,
            event_document_id=str(owed.event_id),
            event_title=owed.event_title,
            event_date=owed.event_date,
            goal=owed.goal,
            skill=owed.skill,
        )
        knowledge, llm = self._runtime.knowledge, self._runtime.llm

        def draft() -> EventDraft:
            retriever = knowledge.organization(request.organization_id).retriever()
            return draft_event_question(request, retriever, llm)

        details = {"event_document_id": str(owed.event_id), "phase": owed.phase}
        outcome = await run_agent(
            EVENT_RUN, draft, tracer=self._runtime.tracer, model=model_name(llm)
        )
        if isinstance(outcome, Failure):
            # Kept and shown like any agent failure; the next pass tries this learner again.
            async with self._sessions() as db, db.begin():
                db.add(
                    outcome.failed_run(
                        owed.organization_id, learner_id=owed.learner_id, details=details
                    )
                )
            return 0
        result = outcome.value
        run = AgentRun(
            organization_id=owed.organization_id,
            kind=EVENT_RUN,
            status=RunStatus.DONE.value,
            learner_id=owed.learner_id,
            provider=result.provider,
            model=result.model,
            prompt_version=result.prompt_version,
            retrieved_ids=[c["chunk_id"] for c in result.item.citations],
            latency_ms=outcome.latency_ms,
            fallback_used=bool(result.fallback_reason),
            details={**details, "fallback_reason": result.fallback_reason},
        )
        suggestion = Suggestion(
            organization_id=owed.organization_id,
            learner_id=owed.learner_id,
            coach_id=owed.coach_id,
            kind=SuggestionKind(result.item.kind),
            text=result.item.text,
            rationale=result.item.rationale,
            citations=list(result.item.citations),
            skill=result.item.skill,
            language=owed.language,
            state=SuggestionState.PENDING_REVIEW,
            deliver_at=proposed_delivery(owed.phase, owed.event_date, now, owed.rhythm),
            event_document_id=owed.event_id,
            event_phase=owed.phase,
        )
        try:
            async with self._sessions() as db, db.begin():
                db.add(run)
                await db.flush()
                suggestion.run_id = run.id
                db.add(suggestion)
                await db.flush()  # a duplicate fails here, before the webhooks hear of it
                await webhooks.items_event(db, webhooks.DRAFT_READY, [suggestion])
        except IntegrityError:
            return 0  # another worker drafted it first
        return 1
