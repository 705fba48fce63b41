"""A learner's data rights: export what Interlude holds about them, and erase their account.

Export reads through the same `access` conditions as every page, so it shows exactly what the
learner may see (approved items only, no coach notes). Erasure deletes everything the learner
wrote or that was written about them, in this organisation only, in one transaction; the
account row stays, emptied, because audit events and other people's records point to it.

Nothing of a learner is ever written to the knowledge store (Chroma and the catalogues hold the
organisation's documents only), so erasure has nothing to remove there; the test
`tests/integration/test_privacy.py` proves it by looking for a learner's words in every file of
the data folder after an erasure.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    AccountToken,
    AgentRun,
    Answer,
    ApiKey,
    CircleContribution,
    CircleDraft,
    CircleMember,
    CircleSession,
    CoachingSession,
    Companion,
    CompanionFeedback,
    CompanionSuggestion,
    Conversation,
    Enrollment,
    Escalation,
    FeedbackRequest,
    JournalEntry,
    LoginSession,
    Message,
    Organization,
    OutboundEmail,
    QuestionBankEntry,
    ReviewDecision,
    Suggestion,
    User,
)
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.circles.services import CircleService
from app.domain.coaching.schemas import LearnerSessionOut
from app.domain.companions.schemas import SuggestionOut
from app.domain.companions.services import CompanionService
from app.domain.companions.suggestions import CompanionSuggestionService
from app.domain.conversations.schemas import ConversationOut, MessageOut
from app.domain.journal.schemas import JournalEntryOut
from app.domain.people.schemas import EnrollmentOut, UserOut
from app.domain.privacy.schemas import ConversationExport, ErasedOut, LearnerExport
from app.domain.suggestions.schemas import AnswerOut, FeedItemOut
from app.lib.clock import utcnow
from app.lib.errors import InvalidInput, NotFound
from app.lib.identity import Identity

ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: a domain that can never receive mail


async def _all(db: AsyncSession, statement: Any) -> list[Any]:
    return list((await db.scalars(statement)).all())


class PrivacyService:
    def __init__(self, db: AsyncSession, identity: Identity) -> None:
        self.db = db
        self.identity = identity

    async def _me(self) -> User:
        self.identity.require_role(Role.LEARNER)
        user = await self.db.get(User, self.identity.user_id)
        if user is None or user.organization_id != self.identity.organization_id:
            raise NotFound("Your account no longer exists.")
        return user

    async def export(self) -> LearnerExport:
        user = await self._me()
        me, now = self.identity, utcnow()
        org = await self.db.get(Organization, me.organization_id)
        conversations = await _all(
            self.db,
            select(Conversation).where(access.visible_conversations(me)).order_by(Conversation.id),
        )
        messages = await _all(
            self.db,
            select(Message)
            .where(
                access.in_tenant(Message, me),
                Message.conversation_id.in_([c.id for c in conversations]),
            )
            .order_by(Message.id),
        )
        by_conversation: dict[UUID, list[MessageOut]] = {c.id: [] for c in conversations}
        for message in messages:
            by_conversation[message.conversation_id].append(MessageOut.of(message))

        def rows(model: Any, condition: Any) -> Any:
            return select(model).where(condition).order_by(model.id)

        return LearnerExport(
            exported_at=now,
            organization=org.slug if org else "",
            account=UserOut.of(user),
            enrollments=[
                EnrollmentOut.of(e)
                for e in await _all(self.db, rows(Enrollment, access.visible_enrollments(me)))
            ],
            sessions=[
                LearnerSessionOut.of(s)
                for s in await _all(self.db, rows(CoachingSession, access.visible_sessions(me)))
            ],
            items=[
                FeedItemOut.of(s)
                for s in await _all(self.db, rows(Suggestion, access.visible_suggestions(me, now)))
            ],
            answers=[
                AnswerOut.of(a)
                for a in await _all(self.db, rows(Answer, access.visible_answers(me)))
            ],
            journal=[
                JournalEntryOut.of(j)
                for j in await _all(self.db, rows(JournalEntry, access.visible_journal_entries(me)))
            ],
            conversations=[
                ConversationExport(
                    conversation=ConversationOut.of(c), messages=by_conversation[c.id]
                )
                for c in conversations
            ],
            companions=await CompanionService(self.db, me).export(),
            companion_suggestions=[
                SuggestionOut.of(row, learner=True)
                for row in await CompanionSuggestionService(self.db, me).find()
            ],
            circles=await CircleService(self.db, me).export(),
        )

    async def erase(self, confirm: str) -> ErasedOut:
        """Delete the learner's data and empty their account: when, and rows deleted per kind."""
        user = await self._me()
        if confirm.strip().lower() != user.email.lower():
            raise InvalidInput(
                "Type your account's email address exactly to confirm the erasure.",
                field="confirm",
            )
        deleted = await self._delete_learner_rows(user.id)
        now = utcnow()
        user.email = f"erased-{user.id.hex}@{ERASED_EMAIL_DOMAIN}"
        user.display_name = "—"
        user.password_hash = None
        user.is_active = False
        user.item_emails, user.unsubscribe_token = False, None
        user.calendar_token_hash, user.time_zone = None, None
        user.erased_at = now
        audit.record(
            self.db,
            organization_id=user.organization_id,
            actor_id=user.id,
            action="user.erase",
            target_type="user",
            target_id=user.id,
            **{f"deleted_{kind}": count for kind, count in deleted.items()},
        )
        await self.db.flush()
        return ErasedOut(erased_at=now, deleted=deleted)

    async def _delete_learner_rows(self, learner_id: UUID) -> dict[str, int]:
        """In foreign-key order: what points to a row goes before it."""
        org_id = self.identity.organization_id
        conversations = select(Conversation.id).where(
            Conversation.organization_id == org_id, Conversation.learner_id == learner_id
        )
        suggestions = select(Suggestion.id).where(
            Suggestion.organization_id == org_id, Suggestion.learner_id == learner_id
        )
        sessions = select(CoachingSession.id).where(
            CoachingSession.organization_id == org_id, CoachingSession.learner_id == learner_id
        )
        # Chat runs carry no learner id (coaches never list them): they are found by message.
        chat_runs = set(
            await _all(
                self.db,
                select(Message.run_id).where(
                    Message.conversation_id.in_(conversations), Message.run_id.is_not(None)
                ),
            )
        )
        counts: dict[str, int] = {}

        async def purge(kind: str, model: Any, *conditions: Any) -> None:
            result: Any = await self.db.execute(
                delete(model)
                .where(model.organization_id == org_id, *conditions)
                .execution_options(synchronize_session=False)
            )
            counts[kind] = counts.get(kind, 0) + int(result.rowcount or 0)

        await purge("escalations", Escalation, Escalation.learner_id == learner_id)
        # Alert e-mails name the learner: queued or sent, their copies go too.
        await purge("emails", OutboundEmail, OutboundEmail.learner_id == learner_id)
        # Replies first: deleting a learner message would cascade to its reply uncounted.
        in_chats = Message.conversation_id.in_(conversations)
        await purge("messages", Message, in_chats, Message.reply_to_id.is_not(None))
        await purge("messages", Message, in_chats)
        await purge("conversations", Conversation, Conversation.learner_id == learner_id)
        await purge("answers", Answer, Answer.learner_id == learner_id)
        await purge("journal_entries", JournalEntry, JournalEntry.learner_id == learner_id)
        # What companions wrote about the learner goes with them (their invitation e-mails
        # went with the learner's e-mails above).
        await purge(
            "companion_feedback", CompanionFeedback, CompanionFeedback.learner_id == learner_id
        )
        await purge("feedback_requests", FeedbackRequest, FeedbackRequest.learner_id == learner_id)
        await purge(
            "companion_suggestions",
            CompanionSuggestion,
            CompanionSuggestion.learner_id == learner_id,
        )
        await purge("companions", Companion, Companion.learner_id == learner_id)
        await self._purge_circles(purge, learner_id)
        # A question a coach banked from this learner's item stays the organisation's.
        await self.db.execute(
            update(QuestionBankEntry)
            .where(QuestionBankEntry.source_suggestion_id.in_(suggestions))
            .values(source_suggestion_id=None)
            .execution_options(synchronize_session=False)
        )
        await purge(
            "review_decisions", ReviewDecision, ReviewDecision.suggestion_id.in_(suggestions)
        )
        await purge("suggestions", Suggestion, Suggestion.learner_id == learner_id)
        await purge(
            "agent_runs",
            AgentRun,
            or_(
                AgentRun.learner_id == learner_id,
                AgentRun.session_id.in_(sessions),
                AgentRun.id.in_(chat_runs),
            ),
        )
        await purge("sessions", CoachingSession, CoachingSession.learner_id == learner_id)
        await purge("enrollments", Enrollment, Enrollment.learner_id == learner_id)
        await purge("login_sessions", LoginSession, LoginSession.user_id == learner_id)
        await purge("api_keys", ApiKey, ApiKey.user_id == learner_id)
        await purge("account_tokens", AccountToken, AccountToken.user_id == learner_id)
        return counts

    async def _purge_circles(self, purge: Any, learner_id: UUID) -> None:
        """The learner's words in circles go, and with them what quotes them: the agent's
        drafts of every session they wrote in (the synthesis attributes each line), and the
        sessions they presented, whose every text was about their situation. The circles
        stay for the other members."""
        org_id = self.identity.organization_id
        presented = await _all(
            self.db,
            select(CircleSession.id).where(
                CircleSession.organization_id == org_id, CircleSession.presenter_id == learner_id
            ),
        )
        wrote_in = await _all(
            self.db,
            select(CircleContribution.session_id).where(
                CircleContribution.organization_id == org_id,
                CircleContribution.author_id == learner_id,
            ),
        )
        touched = set(presented) | set(wrote_in)
        await purge("circle_drafts", CircleDraft, CircleDraft.session_id.in_(touched))
        await purge(
            "circle_contributions",
            CircleContribution,
            or_(
                CircleContribution.author_id == learner_id,
                CircleContribution.session_id.in_(presented),
            ),
        )
        await purge("circle_sessions", CircleSession, CircleSession.id.in_(presented))
        await purge("circle_memberships", CircleMember, CircleMember.learner_id == learner_id)
