"""A chat turn's data: the agent's context (this learner's and organisation's only), and the
reply or the failure stored afterwards. The learner's message was committed before any of it:
whatever happens to the model, it stays stored, replied or failed with the reason."""

from __future__ import annotations

from uuid import UUID

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.chat import ChatReply, ChatRequest, Turn
from agents.llm import ModelError
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
from app.db.models.enums import MessageRole, MessageStatus, RunStatus
from app.domain import access
from app.domain.organizations.schemas import Policy
from app.lib.clock import utcnow
from app.lib.identity import Identity
from knowledge.language import detect_language

log = structlog.get_logger("interlude.chat")
HISTORY = 8


async def chat_request(
    db: AsyncSession, identity: Identity, conversation: Conversation, message: Message
) -> ChatRequest:
    """The agent's context: this learner's own data and their organisation's, nothing else."""
    learner = await db.get(User, conversation.learner_id)
    org = await db.get(Organization, conversation.organization_id)
    assert learner is not None  # noqa: S101 - foreign keys guarantee it
    assert org is not None  # noqa: S101
    history = (
        await db.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation.id,
                access.in_tenant(Message, identity),
                Message.id != message.id,
            )
            .order_by(Message.id.desc())
            .limit(HISTORY)
        )
    ).all()
    approved = (
        await db.scalars(
            select(Suggestion.text)
            .where(access.visible_suggestions(identity, utcnow()))
            .order_by(Suggestion.id.desc())
            .limit(10)
        )
    ).all()
    # Chat shows bank questions to the learner directly, with no coach in between: only the
    # organisation's curated ones. A question a coach banked from one learner's item may carry
    # that learner's context; it reaches others only through a plan, reviewed by their coach.
    bank = (
        await db.scalars(
            select(QuestionBankEntry).where(
                access.in_tenant(QuestionBankEntry, identity),
                QuestionBankEntry.source_suggestion_id.is_(None),
            )
        )
    ).all()
    policy = Policy.load(org.policy)
    return ChatRequest(
        organization_id=str(org.id),
        language=detect_language(message.content, default=learner.locale.value),
        message=message.content,
        history=tuple(
            Turn("learner" if m.role is MessageRole.LEARNER else "assistant", m.content)
            for m in reversed(history)
        ),
        approved_items=tuple(approved),
        bank=tuple(BankQuestion(q.skill, q.scale.value, q.language.value, q.text) for q in bank),
        organization_name=org.name,
        resources=tuple((r.label, r.contact) for r in policy.escalation_resources),
        seed=str(message.id),
        allowed_link_hosts=tuple(policy.link_hosts),
    )


async def save_reply(
    db: AsyncSession, message_id: UUID, reply: ChatReply, latency_ms: int
) -> Message:
    message = await db.get(Message, message_id)
    assert message is not None  # noqa: S101 - stored and committed before the agent ran
    conversation = await db.get(Conversation, message.conversation_id)
    assert conversation is not None  # noqa: S101
    run = _run(message, reply, latency_ms)
    db.add(run)
    await db.flush()
    answer = Message(
        organization_id=message.organization_id,
        conversation_id=message.conversation_id,
        role=MessageRole.ASSISTANT,
        content=reply.text,
        status=MessageStatus.REPLIED,
        citations=reply.citations,
        reply_to_id=message.id,
        run_id=run.id,
    )
    db.add(answer)
    message.status, message.error = MessageStatus.REPLIED, ""
    if reply.escalation is not None:
        await _escalate(db, conversation, message, reply.escalation)
    await db.flush()
    await db.refresh(answer)
    return answer


async def save_failure(db: AsyncSession, message_id: UUID, error: Exception) -> Message:
    message = await db.get(Message, message_id)
    assert message is not None  # noqa: S101
    if isinstance(error, ModelError):
        reason = f"The companion could not answer ({error.kind}): your message is saved; retry."
    else:
        reason = "The companion could not answer: your message is saved; retry in a moment."
    message.status, message.error = MessageStatus.FAILED, reason
    db.add(
        AgentRun(
            organization_id=message.organization_id,
            kind="chat",  # no learner_id: chat runs stay out of the coach's view
            status=RunStatus.FAILED.value,
            error=f"{type(error).__name__}: {error}"[:500],
        )
    )
    log.warning("chat_reply_failed", message_id=str(message_id), error=type(error).__name__)
    await db.flush()
    return message


def _run(message: Message, reply: ChatReply, latency_ms: int) -> AgentRun:
    return AgentRun(
        organization_id=message.organization_id,
        kind="chat",
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
            "escalated": reply.escalation is not None,
        },
    )


async def _escalate(
    db: AsyncSession,
    conversation: Conversation,
    message: Message,
    escalation: tuple[str, str, str],
) -> None:
    category, detected_by, stage = escalation
    coach_id = await db.scalar(
        select(Enrollment.coach_id)
        .where(
            Enrollment.organization_id == conversation.organization_id,
            Enrollment.learner_id == conversation.learner_id,
            Enrollment.is_active.is_(True),
        )
        .order_by(Enrollment.id.desc())
        .limit(1)
    )
    db.add(
        Escalation(
            organization_id=conversation.organization_id,
            learner_id=conversation.learner_id,
            coach_id=coach_id,
            message_id=message.id,
            category=category,
            detected_by=detected_by,
            stage=stage,
        )
    )
    # The category only: the log carries no conversation text.
    log.warning("escalation_raised", category=category, stage=stage, detected_by=detected_by)
