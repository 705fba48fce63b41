"""A stored chat turn as OpenAI's `chat.completion`, or its events as `chat.completion.chunk`s.

`usage` is always zeros: Interlude does not meter by token, and the model's own counts (of a
prompt holding retrieved passages and the stored history, not what the client sent) are kept
on the agent run for the organisation; the composer, the default, has no tokens at all. Zeros
say "not counted" where words counted as tokens would be invented figures.

`finish_reason` is "stop" even when the safety guard answered: the reply is complete and meant
to be shown ("content_filter" would tell clients the text was withheld). `interlude.tier` says
the guard answered.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import msgspec
from litestar import MediaType, Response

from agents.chat import Delta, Replace
from app.db.models import Message
from app.domain.conversations.schemas import ChatTurnOut, MessageOut
from app.domain.openai_compat import schemas as wire
from app.domain.openai_compat.errors import NO_RETRY, openai_error

REPLY_FAILED = 503


def completion_id(message: Message | MessageOut) -> str:
    """A completion answers one stored learner message: the same id, streamed or not."""
    return f"chatcmpl-{message.id.hex}"


def extension(turn: ChatTurnOut, *, replaced: bool = False) -> wire.Extension:
    reply = turn.reply
    safety = None if reply is None else reply.safety
    return wire.Extension(
        conversation_id=turn.message.conversation_id,
        message_id=None if reply is None else reply.id,
        reply_to_id=turn.message.id,
        citations=[] if reply is None else reply.citations,
        tier=None if safety is None else safety.get("tier"),
        safety=safety,
        replaced=replaced,
    )


def completion(turn: ChatTurnOut) -> wire.ChatCompletion:
    assert turn.reply is not None  # noqa: S101 - a failed turn is answered by `failure`
    return wire.ChatCompletion(
        id=completion_id(turn.message),
        created=int(time.time()),
        choices=[wire.Choice(message=wire.AssistantMessage(content=turn.reply.content))],
        usage=wire.Usage(),
        interlude=extension(turn),
    )


def failure_body(turn: ChatTurnOut) -> dict[str, Any]:
    """The reply failed, the learner's message stays stored: the native API's
    POST /api/v1/conversations/{conversation_id}/messages/{reply_to_id}/retry answers it."""
    body = openai_error(REPLY_FAILED, "reply_failed", turn.message.error or "No reply.")
    body["interlude"] = msgspec.to_builtins(extension(turn))
    return body


def failure(turn: ChatTurnOut) -> Response[Any]:
    return Response(
        content=failure_body(turn),
        status_code=REPLY_FAILED,
        headers=NO_RETRY,
        media_type=MediaType.JSON,
    )


def _data(payload: Any) -> bytes:
    return b"data: " + msgspec.json.encode(payload) + b"\n\n"


def continuation(shown: str, text: str) -> str | None:
    """What to append to `shown` so that it reads as `text`, or None when it cannot: the
    client only appends. Spaces at either end of what was shown do not count (the stored
    reply is stripped; its stream may not have been)."""
    core = shown.strip()
    stripped = text.lstrip()
    return stripped[len(core) :] if stripped.startswith(core) else None


async def chunks(
    message: Message,
    events: AsyncIterator[Delta | Replace | ChatTurnOut],
    *,
    include_usage: bool,
) -> AsyncIterator[bytes]:
    """The turn's events as OpenAI's server-sent events, ending with `data: [DONE]`.

    OpenAI's chunks can only append. When a late check replaces text already streamed (a reply
    the guard flags, a model reply swapped for the composer's), the new text is appended after
    a blank line, so that the learner sees it (the safe reply and its resources above all), and
    the last chunk says `interlude.replaced`: a client that can should then show the stored
    reply (`interlude.message_id`) instead of what it appended."""
    cid, created = completion_id(message), int(time.time())

    def chunk(choices: list[wire.ChunkChoice], **extra: Any) -> bytes:
        return _data(wire.ChatCompletionChunk(id=cid, created=created, choices=choices, **extra))

    def content(text: str) -> bytes:
        return chunk([wire.ChunkChoice(delta=wire.Delta(content=text))])

    yield chunk([wire.ChunkChoice(delta=wire.Delta(role="assistant", content=""))])
    shown, replaced = "", False
    async for item in events:
        if isinstance(item, Delta):
            shown += item.text
            yield content(item.text)
        elif isinstance(item, Replace):
            rest = continuation(shown, item.text)
            if rest is None:
                replaced, rest = True, "\n\n" + item.text
            shown += rest
            yield content(rest)
        elif item.reply is None:
            yield _data(failure_body(item))
        else:
            ending = extension(item, replaced=replaced)
            yield chunk(
                [wire.ChunkChoice(delta=wire.Delta(), finish_reason="stop")], interlude=ending
            )
            if include_usage:
                yield chunk([], usage=wire.Usage(), interlude=ending)
    yield b"data: [DONE]\n\n"
