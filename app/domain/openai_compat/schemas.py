"""The OpenAI chat-completions wire format: what a client may send, and what it gets back.

A request is decoded leniently where OpenAI's clients differ (earlier messages: any role,
content as text or parts, extra keys such as `refusal`), strictly where Interlude acts on it
(an unknown top-level parameter is refused, naming it, rather than silently dropped).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

MODEL_ID = "interlude-companion"
MODEL_CREATED = 1_795_000_000  # when the companion was first served this way (2026-11)
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPart(msgspec.Struct):
    type: str
    text: str | None = None


class ChatMessageIn(msgspec.Struct):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None


class StreamOptions(msgspec.Struct):
    include_usage: bool = False


class ChatCompletionIn(msgspec.Struct, forbid_unknown_fields=True):
    model: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    messages: Annotated[list[ChatMessageIn], msgspec.Meta(min_length=1, max_length=10_000)]
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    # Interlude's extension: the conversation this turn continues (sent by the SDK through
    # `extra_body`). Without it a new conversation is started; its id comes back.
    conversation_id: UUID | None = None
    # Refused unless they ask for what the companion does anyway (see `unsupported`).
    n: int | None = None
    tools: list[Any] | None = None
    tool_choice: Any = None
    functions: list[Any] | None = None
    function_call: Any = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    # Accepted and ignored: the companion's own settings decide how it writes (its length,
    # its one open question, the guard's replies), not the caller's sampling knobs.
    user: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    seed: int | None = None
    stop: str | list[str] | None = None
    metadata: dict[str, str] | None = None
    store: bool | None = None

    def unsupported(self) -> tuple[str, str] | None:
        """(parameter, why) for the first parameter asking for what the companion cannot do."""
        if self.n not in (None, 1):
            return "n", "The companion writes one reply per turn: send n=1 or leave n out."
        for name in ("tools", "tool_choice", "functions", "function_call"):
            if getattr(self, name) not in (None, [], "none"):
                return name, "The companion calls no tools or functions: leave out " + name + "."
        if self.response_format is not None and self.response_format.get("type") != "text":
            return "response_format", "The companion answers in text only: leave this out."
        if self.logprobs or self.top_logprobs:
            return "logprobs", "Log probabilities are not available: leave them out."
        return None


class Usage(msgspec.Struct):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class AssistantMessage(msgspec.Struct):
    content: str
    role: str = "assistant"


class Choice(msgspec.Struct):
    message: AssistantMessage
    index: int = 0
    finish_reason: str = "stop"


class Extension(msgspec.Struct):
    """Interlude's additions to a completion: where the turn is stored, and its grounding."""

    conversation_id: UUID
    message_id: UUID | None  # the companion's stored reply
    reply_to_id: UUID  # the learner's stored message
    citations: list[dict[str, Any]]  # as in the native API: title, quote, source id...
    tier: str | None = None  # urgent, support or out_of_scope when the guard answered
    safety: dict[str, str] | None = None  # the native reply's safety record
    # Streams only: the companion replaced text it had already streamed (a late check).
    replaced: bool = False


class ChatCompletion(msgspec.Struct):
    id: str
    created: int
    choices: list[Choice]
    usage: Usage
    interlude: Extension
    model: str = MODEL_ID
    object: str = "chat.completion"


class Delta(msgspec.Struct, omit_defaults=True):
    content: str | None = None
    role: str | None = None


class ChunkChoice(msgspec.Struct):
    delta: Delta
    index: int = 0
    finish_reason: str | None = None


class ChatCompletionChunk(msgspec.Struct):
    id: str
    created: int
    choices: list[ChunkChoice]
    model: str = MODEL_ID
    object: str = "chat.completion.chunk"
    usage: Usage | None = None
    interlude: Extension | None = None


class ModelOut(msgspec.Struct):
    id: str = MODEL_ID
    object: str = "model"
    created: int = MODEL_CREATED
    owned_by: str = "interlude"


class ModelList(msgspec.Struct):
    data: list[ModelOut]
    object: str = "list"
