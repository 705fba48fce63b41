"""A chat turn: the learner's message is stored and committed first; then the agent replies.

The agent runs in a worker thread (retrieval, embeddings and model clients are synchronous);
its events cross to the event loop through a memory stream. Whatever happens to the model, the
learner's message stays stored: replied, or failed with the reason and a way to retry.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import UUID

import anyio
import anyio.from_thread
import anyio.to_thread
import msgspec
import structlog
from litestar.response import ServerSentEventMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.chat import ChatReply, ChatRequest, Delta, Replace, Turn, reply_events
from agents.chat.state import ChatEvent
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
from app.domain.agents.runtime import AgentRuntime
from app.domain.conversations.schemas import ChatTurnOut, MessageOut
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
    bank = (
        await db.scalars(
            select(QuestionBankEntry).where(access.in_tenant(QuestionBankEntry, identity))
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


async def agent_events(runtime: AgentRuntime, request: ChatRequest) -> AsyncIterator[ChatEvent]:
    """The agent's events, produced in a worker thread, consumed here as they come."""
    send, receive = anyio.create_memory_object_stream[Any](64)
    retriever = runtime.knowledge.organization(request.organization_id).retriever()

    def produce() -> None:
        try:
            for event in reply_events(request, retriever, runtime.llm, runtime.guard):
                anyio.from_thread.run(send.send, event)
        except anyio.BrokenResourceError:
            return  # the consumer went away (the client disconnected)
        except Exception as error:  # handed to the consumer, which decides
            with contextlib.suppress(anyio.BrokenResourceError):
                anyio.from_thread.run(send.send, error)
        finally:
            anyio.from_thread.run_sync(send.close)

    failure: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(anyio.to_thread.run_sync, produce)
        async with receive:
            async for item in receive:
                if isinstance(item, Exception):
                    failure = item
                    break
                yield item
    if failure is not None:
        raise failure


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


async def run_turn(
    sessions: Callable[[], AsyncSession],
    runtime: AgentRuntime,
    identity: Identity,
    message_id: UUID,
) -> AsyncIterator[Delta | Replace | Message]:
    """The agent's events, then the stored reply (or the failed message). Own DB sessions:
    a stream outlives the request's session."""
    async with sessions() as db:
        message = await db.get(Message, message_id)
        assert message is not None  # noqa: S101
        conversation = await db.get(Conversation, message.conversation_id)
        assert conversation is not None  # noqa: S101
        request = await chat_request(db, identity, conversation, message)
    started = time.perf_counter()
    reply: ChatReply | None = None
    try:
        async for event in agent_events(runtime, request):
            if isinstance(event, ChatReply):
                reply = event
            else:
                yield event
    except Exception as error:
        async with sessions() as db, db.begin():
            yield await save_failure(db, message_id, error)
        return
    assert reply is not None  # noqa: S101 - reply_events always ends with the reply
    latency_ms = round((time.perf_counter() - started) * 1000)
    async with sessions() as db, db.begin():
        yield await save_reply(db, message_id, reply, latency_ms)


STREAM_EVENTS = """Events, in order: `stored` (the learner's message, as stored), then `delta`
(`{"text": ...}` to append) and `replace` (`{"text": ...}` replaces the reply so far), then
`reply` (the stored reply with its citations) or `failed` (the message, status failed, with the
reason; POST .../retry asks again)."""


class ChatTurns:
    """Chat turns for one identity: whole (`complete`) or streamed (`stream`)."""

    def __init__(
        self, sessions: Callable[[], AsyncSession], runtime: AgentRuntime, identity: Identity
    ) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._identity = identity

    async def complete(self, message_id: UUID) -> ChatTurnOut:
        last: Message | None = None
        async for item in run_turn(self._sessions, self._runtime, self._identity, message_id):
            if isinstance(item, Message):
                last = item
        assert last is not None  # noqa: S101 - run_turn always ends with a message
        if last.id == message_id:  # the reply failed: the stored message says why
            return ChatTurnOut(MessageOut.of(last), None)
        async with self._sessions() as db:
            message = await db.get(Message, message_id)
        assert message is not None  # noqa: S101
        return ChatTurnOut(MessageOut.of(message), MessageOut.of(last))

    async def stream(self, stored: MessageOut) -> AsyncIterator[ServerSentEventMessage]:
        yield _event("stored", stored)
        async for item in run_turn(self._sessions, self._runtime, self._identity, stored.id):
            if isinstance(item, Delta):
                yield _event("delta", {"text": item.text})
            elif isinstance(item, Replace):
                yield _event("replace", {"text": item.text})
            elif item.id == stored.id:
                yield _event("failed", MessageOut.of(item))
            else:
                yield _event("reply", MessageOut.of(item))


def _event(name: str, data: Any) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=name, data=msgspec.json.encode(data).decode())
