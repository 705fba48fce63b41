"""Running a chat turn: the agent in a worker thread, its events to the event loop, the
reply stored at the end; whole (`complete`) or as server-sent events (`stream`)."""

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
from litestar.response import ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession

from agents.chat import ChatReply, ChatRequest, Delta, Replace, reply_events
from agents.chat.state import ChatEvent
from app.db.models import Conversation, Message
from app.domain.agents.runtime import AgentRuntime
from app.domain.conversations.chat import chat_request, save_failure, save_reply
from app.domain.conversations.schemas import ChatTurnOut, MessageOut
from app.lib.identity import Identity


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

    # The agent is synchronous (retrieval, embeddings, model clients): it runs in a worker
    # thread and hands its events over a memory stream, one at a time, as they come.
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
        yield await _failed(sessions, message_id, error)
        return
    assert reply is not None  # noqa: S101 - reply_events always ends with the reply
    latency_ms = round((time.perf_counter() - started) * 1000)
    try:
        async with sessions() as db, db.begin():
            saved = await save_reply(db, message_id, reply, latency_ms)
    except Exception as error:  # the reply could not be stored (a busy database...)
        saved = await _failed(sessions, message_id, error)
    yield saved


async def _failed(
    sessions: Callable[[], AsyncSession], message_id: UUID, error: Exception
) -> Message:
    """Mark the learner's message failed (it stays stored), so a retry can answer it."""
    async with sessions() as db, db.begin():
        return await save_failure(db, message_id, error)


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
