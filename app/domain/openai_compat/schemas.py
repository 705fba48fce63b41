"""The OpenAI chat-completions wire format: what a client may send, and what it gets back.

Every parameter OpenAI's SDKs send is declared: the companion uses it, refuses it naming it
(`unsupported`), or accepts and ignores it. Anything else is refused as an unknown field,
rather than silently dropped. Earlier messages may carry what OpenAI's clients send back
(`refusal`, `tool_calls`...): only the last message is read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

MODEL_ID = "interlude-companion"
MAX_MESSAGES = 1_000
MODEL_CREATED = 1_795_000_000  # when the companion was first served this way (2026-11)
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class ContentPart(msgspec.Struct, forbid_unknown_fields=True):
    type: str
    text: str | None = None
    # Parts other than text: refused in the new message, ignored in earlier ones.
    refusal: str | None = None
    image_url: Any = None
    input_audio: Any = None
    file: Any = None


class ChatMessageIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Role
    content: str | list[ContentPart] | None = None
    name: str | None = None
    # What OpenAI's clients send back with an earlier assistant or tool message: only the last
    # message (the learner's) is read, so these are accepted and ignored.
    refusal: str | None = None
    tool_calls: list[Any] | None = None
    tool_call_id: str | None = None
    function_call: Any = None
    audio: Any = None
    annotations: list[Any] | None = None


class StreamOptions(msgspec.Struct, forbid_unknown_fields=True):
    include_usage: bool = False
    include_obfuscation: bool | None = None  # OpenAI pads chunks against size analysis: no need


class ChatCompletionIn(msgspec.Struct, forbid_unknown_fields=True):
    model: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    # Only the last is read; a longer history is refused (400) before the body limit (413)
    # would refuse it with no field named. Clients trim old messages anyway.
    messages: Annotated[list[ChatMessageIn], msgspec.Meta(min_length=1, max_length=MAX_MESSAGES)]
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
