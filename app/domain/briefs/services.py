"""The pre-session brief: what the learner shared since the last session, for their coach.

It draws only on what the coach may already read, through the rules of `access` as the API
does: answers to delivered items, messages of conversations the learner chose to share,
journal entries they shared, the feedback of companions they shared, and the open safety
alerts (tier and date; what was said stays in the conversation). Each point cites the
answers, messages, entries, feedback and alerts it uses.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.brief import Alert, Brief, BriefRequest, Evidence, draft_brief
from agents.brief.state import AlertTier
from app.db.models import (
    AgentRun,
    Answer,
    CoachingSession,
    Conversation,
    Escalation,
    JournalEntry,
    Message,
    Suggestion,
    User,
)
from app.db.models.enums import EscalationStatus, MessageRole, Role, RunStatus, SuggestionState
from app.domain import access, audit
from app.domain.agents.executor import Failure, model_name, run_agent
from app.domain.agents.runtime import AgentRuntime
from app.domain.companions.services import CompanionService
from app.lib.errors import NotFound, Unavailable
from app.lib.identity import Identity

BRIEF = "brief"
MAX_EVIDENCE = 60
MAX_ALERTS = 100  # far beyond what a coach leaves open; the query stays bounded
# The tiers a coach is alerted on (`access.COACH_ALERT_TIERS`), as the agent names them.
ALERT_TIERS: dict[str, AlertTier] = {"urgent": "urgent", "support": "support"}
RETRY_AFTER_S = 30


async def _latest_session(
    db: AsyncSession, identity: Identity, learner_id: UUID
) -> CoachingSession:
    session = await db.scalar(
        select(CoachingSession)
        .where(CoachingSession.learner_id == learner_id, access.visible_sessions(identity))
        .order_by(CoachingSession.held_at.desc())
        .limit(1)
    )
    if session is None:
        raise NotFound(
            "No session with this learner yet: a brief covers what happened since the last one.",
            field="learner_id",
        )
    return session


async def brief_request(db: AsyncSession, identity: Identity, learner_id: UUID) -> BriefRequest:
    identity.require_role(Role.COACH)
    session = await _latest_session(db, identity, learner_id)
    since = session.held_at
    answers = await _answers(db, identity, learner_id, since)
    answered = [answer.suggestion_id for answer, _ in answers]
    evidence = [
        Evidence(
            id=str(a.id),
            kind="answer",
            text=a.text,
            created_at=a.created_at.isoformat(),
            prompt=prompt,
        )
        for a, prompt in answers
    ]
    evidence += [
        Evidence(
            id=str(m.id),
            kind="message",
            text=m.content,
            created_at=m.created_at.isoformat(),
            thread=str(m.conversation_id),
        )
        for m in await _shared_messages(db, identity, learner_id, since)
    ]
    evidence += [
        Evidence(id=str(n.id), kind="journal", text=n.text, created_at=n.created_at.isoformat())
        for n in await _shared_notes(db, identity, learner_id, since)
    ]
    # Companions' feedback the learner shared; the name only where the learner allowed it.
    evidence += [
        Evidence(
            id=str(f.id),
            kind="companion",
            text="\n".join(part for part in (f.fact, f.effect, f.suggestion) if part),
            created_at=f.created_at.isoformat(),
            prompt=f.question,
            source=f.companion,
            relation=f.relation,
        )
        for f in await CompanionService(db, identity).feedback(learner_id)
        if f.created_at >= since
    ][-MAX_EVIDENCE:]
    evidence.sort(key=lambda e: e.created_at)
    coach = await db.get(User, identity.user_id)
    return BriefRequest(
        organization_id=str(identity.organization_id),
        language=coach.locale.value if coach else "fr",
        goal=session.goal,
        focus_skills=tuple(session.focus_skills),
        agreed_actions=tuple(session.agreed_actions),
        evidence=tuple(evidence),
        unanswered=await _unanswered(db, identity, learner_id, since, answered),
        since=since.isoformat(),
        alerts=await _open_alerts(db, identity, learner_id),
    )


async def _answers(
    db: AsyncSession, identity: Identity, learner_id: UUID, since: datetime
) -> list[tuple[Answer, str]]:
    """Answers since the session, each with the text of the delivered item it answers."""
    rows = await db.execute(
        select(Answer, Suggestion.text)
        .join(Suggestion, Suggestion.id == Answer.suggestion_id)
        .where(
            Answer.learner_id == learner_id,
            access.visible_answers(identity),
            Answer.created_at >= since,
        )
        .order_by(Answer.id)
        .limit(MAX_EVIDENCE)
    )
    return list(rows.tuples())


async def _shared_messages(
    db: AsyncSession, identity: Identity, learner_id: UUID, since: datetime
) -> Sequence[Message]:
    return (
        await db.scalars(
            select(Message)
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(
                Conversation.learner_id == learner_id,
                access.visible_conversations(identity),  # shared with the coach only
                Message.role == MessageRole.LEARNER,
                Message.created_at >= since,
            )
            .order_by(Message.id)
            .limit(MAX_EVIDENCE)
        )
    ).all()


async def _shared_notes(
    db: AsyncSession, identity: Identity, learner_id: UUID, since: datetime
) -> Sequence[JournalEntry]:
    return (
        await db.scalars(
            select(JournalEntry)
            .where(
                JournalEntry.learner_id == learner_id,
                access.visible_journal_entries(identity),  # shared with the coach only
                JournalEntry.created_at >= since,
            )
            .order_by(JournalEntry.id)
            .limit(MAX_EVIDENCE)
        )
    ).all()


async def _unanswered(
    db: AsyncSession, identity: Identity, learner_id: UUID, since: datetime, answered: list[UUID]
) -> tuple[str, ...]:
    texts = await db.scalars(
        select(Suggestion.text).where(
            Suggestion.learner_id == learner_id,
            access.visible_suggestions(identity, since),
            Suggestion.state == SuggestionState.DELIVERED,
            Suggestion.id.not_in(answered) if answered else Suggestion.id.is_not(None),
        )
    )
    return tuple(texts.all())


async def _open_alerts(db: AsyncSession, identity: Identity, learner_id: UUID) -> tuple[Alert, ...]:
    """Every open alert, however old: an alert still open is still news. Tier and date only,
    through the same rule as the escalations API (never an out-of-scope tier)."""
    escalations = await db.scalars(
        select(Escalation)
        .where(
            Escalation.learner_id == learner_id,
            access.visible_escalations(identity),
            Escalation.status == EscalationStatus.OPEN,
        )
        .order_by(Escalation.created_at)
        .limit(MAX_ALERTS)
    )
    return tuple(
        Alert(id=str(e.id), tier=ALERT_TIERS[e.tier], created_at=e.created_at.isoformat())
        for e in escalations
    )


async def _failed(db: AsyncSession, identity: Identity, learner_id: UUID, failure: Failure) -> None:
    """The failed run is recorded, and committed now: the error answer rolls back the rest."""
    db.add(
        failure.failed_run(
            identity.organization_id, learner_id=learner_id, requested_by_id=identity.user_id
        )
    )
    await db.commit()


def brief_content(brief: Brief, request: BriefRequest) -> dict[str, Any]:
    """The brief as stored and served: each point with what it cites (answer, message,
    journal entry, or alert: an escalation the coach may open in the escalations API)."""
    kinds = {e.id: e.kind for e in request.evidence} | {a.id: "alert" for a in request.alerts}

    def points(section: list[Any]) -> list[dict[str, Any]]:
        return [
            {
                "text": p.text,
                "cites": [{"id": i, "kind": kinds.get(i, "")} for i in p.evidence_ids],
            }
            for p in section
        ]

    return {
        "changes": points(brief.changes),
        "answers": points(brief.answers),
        "themes": points(brief.themes),
        "progress": points(brief.progress),
        "open_questions": points(brief.open_questions),
        "explore": points(brief.explore),
        "evidence_count": len(request.evidence),
        "alert_count": len(request.alerts),
        "since": request.since,
    }


class BriefService:
    """A coach's briefs on their learners, bound to the request's session and identity."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def write(self, runtime: AgentRuntime, learner_id: UUID) -> AgentRun:
        """The brief, as the agent run that wrote it.

        When the model fails (a timeout, a 5xx, a rate limit...) the composer writes the brief
        from the same material, and the run says so (`fallback_used`, the reason; the page
        shows it). A coach asks for a brief minutes before a session, often after waiting out
        the model's own timeout and retries: a brief citing the same answers, messages and
        alerts now serves them better than an error telling them to wait and try again. Only
        if the composer fails too is the failure stored and answered 503 with Retry-After.
        """
        db, identity = self.db, self.identity
        request = await brief_request(db, identity, learner_id)
        started = time.perf_counter()  # what the coach waited, the failed attempt included
        outcome = await run_agent(
            BRIEF,
            partial(draft_brief, request, runtime.llm),
            tracer=runtime.tracer,
            model=model_name(runtime.llm),
        )
        failed = outcome if isinstance(outcome, Failure) and runtime.llm is not None else None
        if failed is not None:
            outcome = await run_agent(
                BRIEF, partial(draft_brief, request, None), tracer=runtime.tracer, model="composer"
            )
        if isinstance(outcome, Failure):
            await _failed(db, identity, learner_id, outcome)
            raise Unavailable(
                f"The brief could not be written ({outcome.kind}); nothing was lost: "
                f"retry in {RETRY_AFTER_S} s.",
                retry_after_s=RETRY_AFTER_S,
                code="brief_unavailable",
            )
        brief = outcome.value
        details = {"brief": brief_content(brief, request), "fallback_reason": brief.fallback_reason}
        if failed is not None:
            details["fallback_reason"] = f"the model failed ({failed.kind}); the composer wrote it"
        run = AgentRun(
            organization_id=identity.organization_id,
            kind=BRIEF,
            learner_id=learner_id,
            requested_by_id=identity.user_id,
            status=RunStatus.DONE.value,
            provider=brief.provider,
            model=brief.model,
            prompt_version=brief.prompt_version,
            tokens_in=brief.tokens_in,
            tokens_out=brief.tokens_out,
            latency_ms=round((time.perf_counter() - started) * 1000),
            fallback_used=brief.fallback_used or failed is not None,
            error=failed.record if failed else "",
            details=details,
        )
        db.add(run)
        await db.flush()
        audit.record(
            db,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="brief.write",
            target_type="agent_run",
            target_id=run.id,
        )
        await db.refresh(run)
        return run

    async def latest(self, learner_id: UUID) -> AgentRun:
        """The latest brief written for this learner (a failed attempt is not one)."""
        self.identity.require_role(Role.COACH)
        run = await self.db.scalar(
            select(AgentRun)
            .where(
                AgentRun.kind == BRIEF,
                AgentRun.status == RunStatus.DONE.value,  # a failed attempt is not a brief
                AgentRun.learner_id == learner_id,
                access.visible_runs(self.identity),
            )
            .order_by(AgentRun.id.desc())
            .limit(1)
        )
        if run is None:
            raise NotFound("No brief yet for this learner: POST to this address to write one.")
        return run
