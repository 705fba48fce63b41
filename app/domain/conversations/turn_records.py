"""What a chat turn writes after the agent: the reply and its run, or the failure, and the
coach's alert. The learner's message was committed before the agent ran (`turn_context`):
whatever happens to the model, it stays stored, replied or failed with the reason."""

from __future__ import annotations

from uuid import UUID

import structlog
from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from agents.chat import ChatReply
from agents.chat.state import SafetyOutcome
from app.db.models import (
    AgentRun,
    Enrollment,
    Escalation,
    Message,
)
from app.db.models.enums import MessageRole, MessageStatus, RunStatus
from app.db.rows import insert_new
from app.domain.agents.executor import Failure
from app.domain.notifications.alerts import AlertMail, queue_urgent_alert
from app.domain.webhooks import events as webhooks
from app.lib.metrics import get_metrics

log = structlog.get_logger("interlude.chat")
CHAT = "chat"
MESSAGE: Table = Message.__table__  # type: ignore[assignment]


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
