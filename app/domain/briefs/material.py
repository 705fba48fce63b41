"""What a pre-session brief is made of: the learner's material since their last session, read
for their coach (the service's rules and the agent run are in services.py).

Every read goes through the rules of `access`, as the API does, so the brief draws only on what
the coach may already read: answers to delivered items, messages of conversations the learner
chose to share, journal entries they shared, the feedback of companions they shared, and the
open safety alerts (tier and date; what was said stays in the conversation).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.brief import Alert, BriefRequest, Evidence
from agents.brief.state import AlertTier
from app.db.models import (
    Answer,
    CoachingSession,
    Conversation,
    Escalation,
    JournalEntry,
    Message,
    Suggestion,
    User,
)
from app.db.models.enums import EscalationStatus, MessageRole, Role, SuggestionState
from app.domain import access
from app.domain.companions.services import CompanionService
from app.lib.errors import NotFound
from app.lib.identity import Identity

MAX_EVIDENCE = 60
MAX_ALERTS = 100  # far beyond what a coach leaves open; the query stays bounded
# The tiers a coach is alerted on (`access.COACH_ALERT_TIERS`), as the agent names them.
ALERT_TIERS: dict[str, AlertTier] = {"urgent": "urgent", "support": "support"}


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
