"""The only place models are built: embeddings and chat models.

Takes plain values (no `app` import): the app passes what its settings say. Every remote
provider is opt-in; the defaults run offline from installed packages. The default *chat*
provider is no model at all: the agents then draft with their deterministic composer.

Chat models are synchronous: agents run in worker threads (retrieval and embeddings are
synchronous too), and the app bridges to asyncio at its edge.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from knowledge.embeddings import Embedder, OpenAIEmbeddings, UniversalSentenceEncoder

Role = Literal["system", "user", "assistant"]
JsonMode = Literal["json_schema", "json_object", "none"]
TokenParam = Literal["max_tokens", "max_completion_tokens"]
FailureKind = Literal["timeout", "rate_limited", "server", "unavailable", "rejected"]


class ProviderConfigError(ValueError):
    """A provider was asked for without what it needs; the message names the setting."""


class ModelError(Exception):
    """A model call failed. `kind` says how, `retryable` whether trying later may help."""

    def __init__(
        self, kind: FailureKind, message: str, *, status: int | None = None, detail: str = ""
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status  # the HTTP status, when the endpoint answered one
        self.detail = detail  # the endpoint's own words, for the step-down and the logs

    @property
    def retryable(self) -> bool:
        return self.kind != "rejected"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: int = 0


@dataclass(slots=True)
class StreamStats:
    """Filled in while a stream is consumed: what the run record needs afterwards."""

    tokens_in: int = 0
    tokens_out: int = 0
    first_token_ms: int | None = None
    latency_ms: int = 0
    chunks: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class ChatModel(Protocol):
    """What an agent needs from a chat model. `provider` and `model` go into the run record."""

    @property
    def provider(self) -> str: ...

    @property
    def model(self) -> str: ...

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        """The whole answer. With `json_schema`, the text is asked to be JSON of that shape
        (it still has to be validated: providers differ in how well they hold to it)."""
        ...

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        stats: StreamStats | None = None,
    ) -> Iterator[str]:
        """The answer as text deltas, as the model produces them."""
        ...


@dataclass(frozen=True, slots=True)
class ChatConfig:
    """How to reach an OpenAI-compatible chat endpoint. Defaults suit OpenAI itself."""

    model: str
    base_url: str | None = None
    api_key: str | None = None
    timeout_s: float = 30.0
    max_tokens: int = 800
    temperature: float = 0.3
    # llama.cpp's server refuses `json_schema` (a 500 naming response_format) but takes
    # `json_object` with a schema, as a grammar; some servers take neither. A refusal steps
    # down by itself, once per model object; set json_object up front to save that request.
    json_mode: JsonMode = "json_schema"
    # OpenAI's reasoning models want `max_completion_tokens`; llama.cpp and most
    # compatible servers ignore it and honour `max_tokens`.
    token_param: TokenParam = "max_tokens"  # noqa: S105 - a parameter name, not a secret
    max_retries: int = 2


class OpenAIChatModel:
    """Any OpenAI-compatible endpoint: OpenAI, Azure, Mistral, vLLM, Ollama, llama.cpp...

    One retry layer: the `openai` client's own (`max_retries`, with backoff and Retry-After),
    nothing stacked on top. An explicit timeout, never the client's 600 s default.
    """

    def __init__(self, config: ChatConfig, client: Any = None) -> None:
        self.config = config
        self._json_mode: JsonMode = config.json_mode
        if client is None:
            from openai import OpenAI

            client = OpenAI(
                base_url=config.base_url,
                api_key=config.api_key or "unused",
                timeout=config.timeout_s,
                max_retries=config.max_retries,
            )
        self._client = client

    @property
    def provider(self) -> str:
        return "openai"

    @property
    def model(self) -> str:
        return self.config.model

    def _request(self, messages: Sequence[ChatMessage], max_tokens: int | None) -> dict[str, Any]:
        return {
            "model": self.config.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": self.config.temperature,
            self.config.token_param: max_tokens or self.config.max_tokens,
        }

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any] | None:
        if self._json_mode == "json_schema":
            return {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": False},
            }
        if self._json_mode == "json_object":
            return {"type": "json_object", "schema": schema}  # llama.cpp reads `schema`
        return None

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_schema: dict[str, Any] | None = None,
        max_tokens: int | None = None,
    ) -> Completion:
        request = self._request(messages, max_tokens)
        started = time.perf_counter()
        if json_schema is not None:
            # The schema is also stated in the prompt: not every server enforces it.
            request["messages"][-1]["content"] += (
                "\n\nAnswer with JSON only, matching this JSON Schema:\n"
                + json.dumps(json_schema, ensure_ascii=False)
            )
            response = self._complete_json(request, json_schema)
        else:
            response = self._call(request)
        choices = getattr(response, "choices", None)
        if choices is None:  # a 200 that is no chat completion (a proxy's HTML page...)
            raise ModelError("server", "The model endpoint did not answer a chat completion.")
        text = (choices[0].message.content or "") if choices else ""
        usage = getattr(response, "usage", None)
        return Completion(
            text=text,
            tokens_in=getattr(usage, "prompt_tokens", 0) or 0,
            tokens_out=getattr(usage, "completion_tokens", 0) or 0,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )

    def _complete_json(self, request: dict[str, Any], schema: dict[str, Any]) -> Any:
        response_format = self._response_format(schema)
        if response_format is None:
            return self._call(request)
        try:
            return self._call({**request, "response_format": response_format})
        except ModelError as error:
            mode = self._json_mode
            if mode == "none" or not _refuses_response_format(error):
                raise
            # The server refused this response_format: step down once and remember it...
            self._json_mode = "json_object" if mode == "json_schema" else "none"
            try:
                return self._complete_json(request, schema)
            except ModelError as lower:
                # ...unless it refuses the request without it too: then the format was not
                # the reason (a prompt past the context window is a 400 in every mode), and
                # stepping down would cost every later request its schema.
                if _refuses_response_format(lower):
                    self._json_mode = mode
                raise

    def _call(self, request: dict[str, Any]) -> Any:
        with translated_errors():
            return self._client.chat.completions.create(**request)

    def stream(
        self,
        messages: Sequence[ChatMessage],
        *,
        max_tokens: int | None = None,
        stats: StreamStats | None = None,
    ) -> Iterator[str]:
        stats = stats if stats is not None else StreamStats()
        started = time.perf_counter()
        with translated_errors():
            chunks = self._client.chat.completions.create(
                **self._request(messages, max_tokens),
                stream=True,
                stream_options={"include_usage": True},  # else OpenAI sends no usage
            )
            for chunk in chunks:
                usage = getattr(chunk, "usage", None)
                if usage is not None:
                    stats.tokens_in = usage.prompt_tokens or 0
                    stats.tokens_out = usage.completion_tokens or 0
                if not chunk.choices:
                    continue
                delta = chunk.choices[0].delta.content or ""
                if not delta:
                    continue
                if stats.first_token_ms is None:
                    stats.first_token_ms = round((time.perf_counter() - started) * 1000)
                stats.chunks += 1
                yield delta
        stats.latency_ms = round((time.perf_counter() - started) * 1000)
        if stats.chunks == 0:  # e.g. a 200 whose body is no event stream at all
            raise ModelError("server", "The model endpoint streamed no text.")


def _refuses_response_format(error: ModelError) -> bool:
    """OpenAI-style servers answer 400 (FastAPI-based ones 422); llama-cpp-python's server
    answers 500 with a validation message naming `response_format`. A 401/404/429 says
    nothing about JSON mode."""
    if error.status in (400, 422):
        return True
    return error.status == 500 and "response_format" in error.detail


@contextmanager
def translated_errors() -> Iterator[None]:
    """The `openai` client's exceptions as ModelError, so agents handle one type."""
    import openai

    try:
        yield
    except openai.APITimeoutError as exc:
        raise ModelError("timeout", "The model did not answer in time.") from exc
    except openai.RateLimitError as exc:
        raise ModelError("rate_limited", "The model provider is rate limiting us.") from exc
    except openai.APIConnectionError as exc:
        raise ModelError("unavailable", "The model endpoint cannot be reached.") from exc
    except openai.APIStatusError as exc:
        kind: FailureKind = "server" if exc.status_code >= 500 else "rejected"
        raise ModelError(
            kind,
            f"The model endpoint answered {exc.status_code}.",
            status=exc.status_code,
            detail=str(exc),
        ) from exc
    except openai.APIError as exc:  # an error event in a stream, a body the client rejects
        raise ModelError("server", f"The model endpoint failed: {exc.message}") from exc
    except json.JSONDecodeError as exc:  # a body or a stream event that is not JSON
        raise ModelError("server", "The model endpoint answered something not JSON.") from exc


def build_chat_model(
    provider: Literal["composer", "openai"], config: ChatConfig | None = None
) -> ChatModel | None:
    """The configured chat model, or None for the composer (no model: deterministic drafts)."""
    if provider == "composer":
        return None
    if config is None or not (config.base_url or config.api_key):
        raise ProviderConfigError(
            "INTERLUDE_CHAT_PROVIDER=openai needs OPENAI_BASE_URL (a compatible server) "
            "or OPENAI_API_KEY (OpenAI itself), and INTERLUDE_CHAT_MODEL."
        )
    if not config.model:
        raise ProviderConfigError("INTERLUDE_CHAT_PROVIDER=openai needs INTERLUDE_CHAT_MODEL.")
    return OpenAIChatModel(config)


def build_embedder(
    provider: Literal["use", "openai"],
    *,
    base_url: str | None = None,
    api_key: str | None = None,
    model: str = "",
    dimension: int = 0,
    timeout_s: float = 30.0,
) -> Embedder:
    if provider == "use":
        return UniversalSentenceEncoder()
    if not base_url:
        raise ProviderConfigError(
            "INTERLUDE_EMBEDDING_PROVIDER=openai needs OPENAI_BASE_URL "
            "(and usually OPENAI_API_KEY)."
        )
    from openai import OpenAI

    # One retry layer: the client's own (max_retries); an explicit timeout, not its 600 s default.
    client = OpenAI(
        base_url=base_url, api_key=api_key or "unused", timeout=timeout_s, max_retries=2
    )
    return OpenAIEmbeddings(client, model=model, dimension=dimension)
