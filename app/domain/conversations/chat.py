"""A chat turn's data: the agent's context (this learner's and organisation's only), and the
reply or the failure stored afterwards. The context is read before the learner's message is
written, and the message is committed before the agent runs: whatever happens to the model, it
stays stored, replied or failed with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from agents.chat import APPROVED_ITEMS, HISTORY_TURNS, ChatReply, ChatRequest, Turn
from agents.chat.state import SafetyOutcome
from agents.plan import BankQuestion
from app.db.models import (
    AgentRun,
    Conversation,
    Enrollment,
    Escalation,
    Message,
    Organization,
    QuestionBankEntry,
    Suggestion,
    User,
)
from app.db.models.enums import Language, MessageRole, MessageStatus, RunStatus
from app.db.rows import insert_new
from app.domain import access
from app.domain.agents.executor import Failure
from app.domain.notifications.alerts import AlertMail, queue_urgent_alert
from app.domain.organizations.schemas import Policy
from app.domain.webhooks import events as webhooks
from app.lib.clock import utcnow
from app.lib.identity import Identity
from app.lib.metrics import get_metrics
from knowledge.language import detect_language

log = structlog.get_logger("interlude.chat")
CHAT = "chat"
MESSAGE: Table = Message.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class ChatContext:
    """What the agent may know besides the message: this learner's and organisation's only."""

    organization_id: UUID
    organization_name: str
    policy: Policy
    learner_locale: str
    history: tuple[Turn, ...]
    approved_items: tuple[str, ...]
    bank: tuple[BankQuestion, ...]

    def request(self, message: Message) -> ChatRequest:
        return ChatRequest(
            organization_id=str(self.organization_id),
            language=detect_language(message.content, default=self.learner_locale),
            message=message.content,
            history=self.history,
            approved_items=self.approved_items,
            bank=self.bank,
            organization_name=self.organization_name,
            resources=self.policy.resources_by_tier(),
            seed=str(message.id),
            allowed_link_hosts=tuple(self.policy.link_hosts),
        )


@dataclass(frozen=True, slots=True)
class ChatConversation:
    """A learner's own conversation, with what chat needs of its organisation and learner."""

    conversation: Conversation
    organization_name: str
    policy: dict[str, Any]
    learner_locale: Language


async def own_conversation(
    db: AsyncSession, identity: Identity, conversation_id: UUID
) -> ChatConversation | None:
    """One statement: the conversation (visible to `identity`), its organisation's name and
    policy and its learner's locale (the joins follow its foreign keys: always one row)."""
    row = (
        await db.execute(
            select(Conversation, Organization.name, Organization.policy, User.locale)
            .join(Organization, Organization.id == Conversation.organization_id)
            .join(User, User.id == Conversation.learner_id)
            .where(Conversation.id == conversation_id, access.visible_conversations(identity))
        )
    ).first()
    return None if row is None else ChatConversation(*row)


async def chat_context(
    db: AsyncSession,
    identity: Identity,
    chat: ChatConversation,
    *,
    excluding: UUID | None = None,
) -> ChatContext:
    """Read before the learner's message is written (a retry excludes the message it answers),
    so these reads never run while SQLite's write lock is held: three statements."""
    conversation = chat.conversation
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
    return ChatContext(
        organization_id=conversation.organization_id,
        organization_name=chat.organization_name,
        policy=Policy.load(chat.policy),
        learner_locale=chat.learner_locale.value,
        history=tuple(
            Turn("learner" if role is MessageRole.LEARNER else "assistant", content)
            for role, content in reversed(history)
        ),
        approved_items=tuple(approved),
        bank=tuple(BankQuestion(q.skill, q.scale.value, q.language.value, q.text) for q in bank),
    )


async def save_reply(
    db: AsyncSession,
    message: Message,
    learner_id: UUID,
    reply: ChatReply,
    latency_ms: int,
    mail: AlertMail | None = None,
) -> Message:
    """Store the reply and its run, and mark the learner's message replied: three statements,
    no read under SQLite's write lock. `message` is the stored learner message (detached)."""
    await _set_status(db, message.id, MessageStatus.REPLIED, "")
    run = _run(message, reply, latency_ms)
    answer = Message(
        organization_id=message.organization_id,
        conversation_id=message.conversation_id,
        role=MessageRole.ASSISTANT,
        content=reply.text,
        status=MessageStatus.REPLIED,
        citations=reply.citations,
        reply_to_id=message.id,
        run_id=run.id,
        safety=None if reply.safety is None else safety_record(reply.safety),
    )
    # Written once, never changed here: plain INSERTs, the run first (the answer refers to it).
    await insert_new(db, run, answer)
    if reply.safety is not None and reply.safety.tier == "urgent":
        await escalate(
            db,
            message,
            learner_id,
            category=reply.safety.category,
            tier="urgent",
            detected_by=reply.safety.detected_by,
            stage="conversation" if reply.safety.scope == "conversation" else reply.safety.stage,
            mail=mail,
        )
        await db.flush()
    return answer


def safety_record(outcome: SafetyOutcome) -> dict[str, str]:
    """What a reply message keeps of the guard's answer: the tier and category, and what
    happens with the coach (said to the learner in the reply itself)."""
    coach = {"urgent": "alerted", "support": "offered"}.get(outcome.tier, "never")
    return {"tier": outcome.tier, "category": outcome.category, "coach": coach}


async def save_failure(db: AsyncSession, message: Message, failure: Failure) -> str:
    """Mark the learner's message failed; returns the reason shown to the learner."""
    if failure.from_model:
        reason = f"The companion could not answer ({failure.kind}): your message is saved; retry."
    else:
        reason = "The companion could not answer: your message is saved; retry in a moment."
    await _set_status(db, message.id, MessageStatus.FAILED, reason)
    # No learner_id: chat runs stay out of the coach's view.
    db.add(failure.failed_run(message.organization_id))
    log.warning("chat_reply_failed", message_id=str(message.id), kind=failure.kind)
    await db.flush()
    return reason


async def _set_status(
    db: AsyncSession, message_id: UUID, status: MessageStatus, error: str
) -> None:
    # On the table, not the ORM entity: no session object to synchronise (the caller holds
    # the message detached), so the ORM's bulk-update bookkeeping would be for nothing.
    await db.execute(
        update(MESSAGE).where(MESSAGE.c.id == message_id).values(status=status, error=error)
    )


def _run(message: Message, reply: ChatReply, latency_ms: int) -> AgentRun:
    return AgentRun(
        id=uuid7(),  # the answer refers to it before either is inserted
        organization_id=message.organization_id,
        kind=CHAT,
        status=RunStatus.DONE.value,
        provider=reply.provider,
        model=reply.model,
        prompt_version=reply.prompt_version,
        retrieved_ids=reply.retrieved_ids,
        tokens_in=reply.tokens_in,
        tokens_out=reply.tokens_out,
        latency_ms=latency_ms,
        fallback_used=reply.fallback_used,
        details={
            "message_id": str(message.id),
            "found_relevant": reply.found_relevant,
            "fallback_reason": reply.fallback_reason,
            "problems": reply.problems,
            "first_token_ms": reply.first_token_ms,
            "safety_tier": reply.safety.tier if reply.safety else None,
        },
    )


async def escalate(
    db: AsyncSession,
    message: Message,
    learner_id: UUID,
    *,
    category: str,
    tier: str,
    detected_by: str,
    stage: str,
    mail: AlertMail | None = None,
) -> Escalation:
    """Alert the learner's coach (of their latest active enrollment): category and tier only.
    An urgent alert is also e-mailed when `mail` is set (queued in this transaction)."""
    coach_id = await db.scalar(
        select(Enrollment.coach_id)
        .where(
            Enrollment.organization_id == message.organization_id,
            Enrollment.learner_id == learner_id,
            Enrollment.is_active.is_(True),
        )
        .order_by(Enrollment.id.desc())
        .limit(1)
    )
    escalation = Escalation(
        organization_id=message.organization_id,
        learner_id=learner_id,
        coach_id=coach_id,
        message_id=message.id,
        category=category,
        tier=tier,
        detected_by=detected_by,
        stage=stage,
    )
    db.add(escalation)
    await db.flush()  # the alert's id keys its e-mail and its webhook event
    if mail is not None and tier == "urgent" and coach_id is not None:
        await queue_urgent_alert(db, escalation, mail, coach_id)
    await webhooks.alert_raised(db, escalation)
    get_metrics().escalations.labels(tier).inc()
    # The category only: the log carries no conversation text.
    log.warning(
        "escalation_raised", category=category, tier=tier, stage=stage, detected_by=detected_by
    )
    return escalation
