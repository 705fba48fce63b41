"""Running a chat turn: the agent in a worker thread, its events to the event loop, the
reply stored at the end; whole (`complete`) or as server-sent events (`stream`)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from uuid import UUID

import msgspec
from litestar.response import ServerSentEventMessage
from sqlalchemy.ext.asyncio import AsyncSession

from agents.chat import ChatReply, ChatRequest, Delta, Replace, reply_events
from agents.chat.state import ChatEvent
from app.db.models import Message
from app.db.models.enums import MessageStatus
from app.domain.agents.executor import Failure, model_name, stream_agent
from app.domain.agents.runtime import AgentRuntime
from app.domain.conversations.schemas import ChatTurnOut, MessageOut
from app.domain.conversations.turn_context import PreparedTurn
from app.domain.conversations.turn_records import CHAT, save_failure, save_reply
from app.domain.notifications.alerts import AlertMail
from app.lib.identity import Identity


def agent_events(runtime: AgentRuntime, request: ChatRequest) -> AsyncIterator[ChatEvent | Failure]:
    """The agent's events, produced in a worker thread, consumed here as they come; a failure
    is the last item."""

    def produce() -> Iterator[ChatEvent]:
        retriever = runtime.knowledge.organization(request.organization_id).retriever()
        return reply_events(request, retriever, runtime.llm, runtime.guard)

    return stream_agent(
        CHAT,
        produce,
        at_once=runtime.llm is None,  # the composer: no waiting
        tracer=runtime.tracer,
        model=model_name(runtime.llm),
    )


async def run_turn(
    sessions: Callable[[], AsyncSession],
    runtime: AgentRuntime,
    turn: PreparedTurn,
    learner_id: UUID,
    mail: AlertMail | None = None,
) -> AsyncIterator[Delta | Replace | ChatTurnOut]:
    """The agent's events, then the turn as stored: the reply, or the learner's message marked
    failed. Its own DB session: a stream outlives the request's session."""
    started = time.perf_counter()
    message = turn.message
    reply: ChatReply | None = None
    async for event in agent_events(runtime, turn.request):
        if isinstance(event, Failure):
            yield await _failed(sessions, message, event)
            return
        if isinstance(event, ChatReply):
            reply = event
        else:
            yield event
    assert reply is not None  # noqa: S101 - reply_events always ends with the reply
    latency_ms = round((time.perf_counter() - started) * 1000)
    try:
        async with sessions() as db, db.begin():
            answer = await save_reply(db, message, learner_id, reply, latency_ms, mail)
    except Exception as error:  # the reply could not be stored (a busy database...)
        yield await _failed(sessions, message, Failure(agent=CHAT, error=error))
        return
    stored = msgspec.structs.replace(MessageOut.of(message), status=MessageStatus.REPLIED, error="")
    yield ChatTurnOut(message=stored, reply=MessageOut.of(answer))


async def _failed(
    sessions: Callable[[], AsyncSession], message: Message, failure: Failure
) -> ChatTurnOut:
    """Mark the learner's message failed (it stays stored), so a retry can answer it."""
    async with sessions() as db, db.begin():
        reason = await save_failure(db, message, failure)
    failed = msgspec.structs.replace(
        MessageOut.of(message), status=MessageStatus.FAILED, error=reason
    )
    return ChatTurnOut(message=failed, reply=None)


STREAM_EVENTS = """Events, in order: `stored` (the learner's message, as stored), then `delta`
(`{"text": ...}` to append) and `replace` (`{"text": ...}` replaces the reply so far), then
`reply` (the stored reply with its citations) or `failed` (the message, status failed, with the
reason; POST .../retry asks again)."""


class ChatTurns:
    """Chat turns for one identity: whole (`complete`), streamed as this API's server-sent
    events (`stream`), or as the plain events another wire format renders (`events`: the
    OpenAI-compatible endpoint), each for a turn prepared by `ConversationService`."""

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        runtime: AgentRuntime,
        identity: Identity,
        mail: AlertMail | None = None,
    ) -> None:
        self._sessions = sessions
        self._runtime = runtime
        self._identity = identity
        self._mail = mail  # None: urgent alerts are not e-mailed (no SMTP configured)

    def events(self, turn: PreparedTurn) -> AsyncIterator[Delta | Replace | ChatTurnOut]:
        """The reply's Delta and Replace events, then the turn as stored (`run_turn`)."""
        return run_turn(self._sessions, self._runtime, turn, self._identity.user_id, self._mail)

    async def complete(self, turn: PreparedTurn) -> ChatTurnOut:
        async for item in self.events(turn):
            if isinstance(item, ChatTurnOut):
                return item
        raise AssertionError("run_turn always ends with the stored turn")

    async def stream(self, turn: PreparedTurn) -> AsyncIterator[ServerSentEventMessage]:
        yield _event("stored", MessageOut.of(turn.message))
        async for item in self.events(turn):
            if isinstance(item, Delta):
                yield _event("delta", {"text": item.text})
            elif isinstance(item, Replace):
                yield _event("replace", {"text": item.text})
            elif item.reply is None:
                yield _event("failed", item.message)
            else:
                yield _event("reply", item.reply)


def _event(name: str, data: Any) -> ServerSentEventMessage:
    return ServerSentEventMessage(event=name, data=msgspec.json.encode(data).decode())
