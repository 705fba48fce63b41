"""What a coach sees of their learners on the pages: a status line for each (drafts waiting,
open alerts, last activity, last session, companions), and on a learner's brief page their
answers and the conversations they shared.

Every read goes through the rules of `access`, as the API's do: an answer, a message or a
journal entry the learner did not share with this coach counts nowhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    Answer,
    CoachingSession,
    Companion,
    CompanionFeedback,
    Conversation,
    Escalation,
    JournalEntry,
    Message,
    Suggestion,
    User,
)
from app.db.models.enums import EscalationStatus, MessageRole, Role, SuggestionState
from app.domain import access
from app.lib.clock import utcnow
from app.lib.identity import Identity

ANSWERS_SHOWN = 30
SHARED_MESSAGES_SHOWN = 60


@dataclass(frozen=True, slots=True)
class LearnerStatus:
    learner: User
    drafts_waiting: int
    open_escalations: int
    last_activity: datetime | None
    last_session: datetime | None
    companions: int = 0  # whose link is alive
    companion_answers_shared: int = 0


@dataclass(frozen=True, slots=True)
class AnsweredItem:
    prompt: str  # the delivered item the learner answered
    answer: Answer


class LearnerOverviewService:
    """A coach's view of their learners, bound to the request's session and identity."""

    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def _counts(self, statement: Any) -> dict[UUID, Any]:
        return dict((await self.db.execute(statement)).tuples().all())

    async def statuses(self, learners: Sequence[User]) -> list[LearnerStatus]:
        """One status per learner, in the order given; eight grouped queries, whatever the
        number of learners."""
        self.identity.require_role(Role.COACH)
        identity = self.identity
        waiting = await self._counts(
            select(Suggestion.learner_id, func.count(Suggestion.id))
            .where(
                access.visible_suggestions(identity, utcnow()),
                Suggestion.state == SuggestionState.PENDING_REVIEW,
            )
            .group_by(Suggestion.learner_id)
        )
        escalations = await self._counts(
            select(Escalation.learner_id, func.count(Escalation.id))
            .where(access.visible_escalations(identity), Escalation.status == EscalationStatus.OPEN)
            .group_by(Escalation.learner_id)
        )
        # Activity the coach may see: answers, messages of conversations and journal entries
        # the learner shared with them.
        answered = await self._counts(
            select(Answer.learner_id, func.max(Answer.created_at))
            .where(access.visible_answers(identity))
            .group_by(Answer.learner_id)
        )
        chatted = await self._counts(
            select(Conversation.learner_id, func.max(Message.created_at))
            .join(Conversation, Conversation.id == Message.conversation_id)
            .where(access.visible_conversations(identity), Message.role == MessageRole.LEARNER)
            .group_by(Conversation.learner_id)
        )
        noted = await self._counts(
            select(JournalEntry.learner_id, func.max(JournalEntry.created_at))
            .where(access.visible_journal_entries(identity))  # shared entries only
            .group_by(JournalEntry.learner_id)
        )
        sessions = await self._counts(
            select(CoachingSession.learner_id, func.max(CoachingSession.held_at))
            .where(access.visible_sessions(identity))
            .group_by(CoachingSession.learner_id)
        )
        # Who accompanies each learner: live links, and the answers the learner shared.
        companions = await self._counts(
            select(Companion.learner_id, func.count(Companion.id))
            .where(
                access.companions_in_coach_view(identity),
                Companion.revoked_at.is_(None),
                Companion.expires_at > utcnow(),
            )
            .group_by(Companion.learner_id)
        )
        shared = await self._counts(
            select(CompanionFeedback.learner_id, func.count(CompanionFeedback.id))
            .where(access.visible_companion_feedback(identity))  # shared ones only
            .group_by(CompanionFeedback.learner_id)
        )
        statuses = []
        for learner in learners:
            seen = (answered.get(learner.id), chatted.get(learner.id), noted.get(learner.id))
            moments = [m for m in seen if m]
            statuses.append(
                LearnerStatus(
                    learner=learner,
                    drafts_waiting=int(waiting.get(learner.id, 0)),
                    open_escalations=int(escalations.get(learner.id, 0)),
                    last_activity=max(moments) if moments else None,
                    last_session=sessions.get(learner.id),
                    companions=int(companions.get(learner.id, 0)),
                    companion_answers_shared=int(shared.get(learner.id, 0)),
                )
            )
        return statuses

    async def answers(self, learner_id: UUID) -> list[AnsweredItem]:
        """The learner's answers to delivered items, newest first."""
        self.identity.require_role(Role.COACH)
        rows = await self.db.execute(
            select(Answer, Suggestion.text)
            .join(Suggestion, Suggestion.id == Answer.suggestion_id)
            .where(Answer.learner_id == learner_id, access.visible_answers(self.identity))
            .order_by(Answer.created_at.desc())
            .limit(ANSWERS_SHOWN)
        )
        return [AnsweredItem(prompt=prompt, answer=answer) for answer, prompt in rows.tuples()]

    async def shared_conversations(
        self, learner_id: UUID
    ) -> list[tuple[Conversation, list[Message]]]:
        """The conversations the learner shared with their coach, each with its latest
        messages (learner and companion), oldest first within a conversation."""
        self.identity.require_role(Role.COACH)
        messages = (
            await self.db.scalars(
                select(Message)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .where(
                    Conversation.learner_id == learner_id,
                    access.visible_conversations(self.identity),
                )
                .order_by(Message.created_at.desc())
                .limit(SHARED_MESSAGES_SHOWN)
            )
        ).all()
        by_conversation: dict[UUID, list[Message]] = {}
        for message in reversed(messages):
            by_conversation.setdefault(message.conversation_id, []).append(message)
        conversations = {
            c.id: c
            for c in await self.db.scalars(
                select(Conversation).where(
                    Conversation.id.in_(list(by_conversation)),
                    access.visible_conversations(self.identity),
                )
            )
        }
        return [(conversations[i], thread) for i, thread in by_conversation.items()]
