"""What a chat turn reads before the agent: the learner's conversation and what the agent may
know besides the message (this learner's and organisation's only).

The reads come before the learner's message is written, so on SQLite they never run while the
write lock is held; the message is then committed before the agent runs (`PreparedTurn`).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.chat import APPROVED_ITEMS, HISTORY_TURNS, ChatRequest, ModulePrompt, Turn
from agents.plan import BankQuestion
from app.db.models import (
    Conversation,
    Enrollment,
    Message,
    Organization,
    Program,
    ProgramModule,
    QuestionBankEntry,
    Suggestion,
    User,
)
from app.db.models.enums import MessageRole
from app.domain import access
from app.domain.organizations.schemas import Policy
from app.lib.clock import utcnow
from app.lib.identity import Identity
from knowledge.language import detect_language


@dataclass(frozen=True, slots=True)
class TurnContext:
    """A learner's own conversation and everything the agent may know besides the message."""

    conversation: Conversation
    organization_name: str
    policy: Policy
    learner_locale: str
    history: tuple[Turn, ...]
    approved_items: tuple[str, ...]
    bank: tuple[BankQuestion, ...]
    prompts: tuple[ModulePrompt, ...] = ()

    def request(self, message: Message) -> ChatRequest:
        """The agent's input for `message`, a learner message of this conversation."""
        return ChatRequest(
            organization_id=str(self.conversation.organization_id),
            language=detect_language(message.content, default=self.learner_locale),
            message=message.content,
            history=self.history,
            approved_items=self.approved_items,
            bank=self.bank,
            prompts=self.prompts,
            organization_name=self.organization_name,
            resources=self.policy.resources_by_tier(),
            seed=str(message.id),
            allowed_link_hosts=tuple(self.policy.link_hosts),
        )


@dataclass(frozen=True, slots=True)
class PreparedTurn:
    """A turn ready for the agent: the learner's message, committed (detached: only read), and
    the agent's request for it."""

    message: Message
    request: ChatRequest


async def read_turn_context(
    db: AsyncSession,
    identity: Identity,
    conversation_id: UUID,
    *,
    excluding: UUID | None = None,
) -> TurnContext | None:
    """The context of a turn in a conversation visible to `identity` (None: no such
    conversation). A retry excludes the message it answers from the history. Five statements,
    all reads."""
    row = (
        await db.execute(
            select(Conversation, Organization.name, Organization.policy, User.locale)
            .join(Organization, Organization.id == Conversation.organization_id)
            .join(User, User.id == Conversation.learner_id)
            .where(Conversation.id == conversation_id, access.visible_conversations(identity))
        )
    ).first()
    if row is None:
        return None
    conversation, organization_name, policy, learner_locale = row
    history_query = select(Message.role, Message.content).where(
        Message.conversation_id == conversation.id, access.in_tenant(Message, identity)
    )
    if excluding is not None:
        history_query = history_query.where(Message.id != excluding)
    history = (
        await db.execute(history_query.order_by(Message.id.desc()).limit(HISTORY_TURNS))
    ).all()
    approved = (
        await db.scalars(
            select(Suggestion.text)
            .where(access.visible_suggestions(identity, utcnow()))
            .order_by(Suggestion.id.desc())
            .limit(APPROVED_ITEMS)
        )
    ).all()
    # Chat shows bank questions to the learner directly, with no coach in between: only the
    # organisation's curated ones. A question a coach banked from one learner's item may carry
    # that learner's context; it reaches others only through a plan, reviewed by their coach.
    bank = (
        await db.execute(
            select(
                QuestionBankEntry.skill,
                QuestionBankEntry.scale,
                QuestionBankEntry.language,
                QuestionBankEntry.text,
            ).where(
                access.in_tenant(QuestionBankEntry, identity),
                QuestionBankEntry.source_suggestion_id.is_(None),
            )
        )
    ).all()
    # The reflection prompts of the modules the learner follows (active enrollments, this
    # organisation): the question after a learner's own situation comes from them first.
    modules = (
        await db.execute(
            select(ProgramModule.skill, ProgramModule.reflection_prompts, Program.language)
            .join(Program, Program.id == ProgramModule.program_id)
            .join(Enrollment, Enrollment.program_id == ProgramModule.program_id)
            .where(
                access.in_tenant(ProgramModule, identity),
                Enrollment.organization_id == conversation.organization_id,
                Enrollment.learner_id == conversation.learner_id,
                Enrollment.is_active.is_(True),
            )
            .order_by(ProgramModule.program_id, ProgramModule.position)
        )
    ).all()
    return TurnContext(
        conversation=conversation,
        organization_name=organization_name,
        policy=Policy.load(policy),
        learner_locale=learner_locale.value,
        history=tuple(
            Turn(role="learner" if role is MessageRole.LEARNER else "assistant", content=content)
            for role, content in reversed(history)
        ),
        approved_items=tuple(approved),
        bank=tuple(
            BankQuestion(skill=q.skill, scale=q.scale.value, language=q.language.value, text=q.text)
            for q in bank
        ),
        prompts=tuple(
            ModulePrompt(skill=skill, language=language.value, text=prompt)
            for skill, prompts, language in modules
            for prompt in prompts
            if isinstance(prompt, str) and prompt.strip()
        ),
    )
