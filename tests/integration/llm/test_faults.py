"""`OpenAIChatModel` against a scripted loopback server: what goes on the wire, and how each
failure of an OpenAI-compatible endpoint comes back (`ModelError.kind`, retryable, how many
requests: the `openai` client is the one retry layer, so a retryable failure costs exactly
1 + max_retries requests and a rejected one exactly 1)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from agents.llm import (
    ChatConfig,
    ChatMessage,
    ModelError,
    OpenAIChatModel,
    ProviderConfigError,
    StreamStats,
    build_chat_model,
)
from evals.llama_server import free_port
from tests.llm_servers import (
    FaultServer,
    Step,
    completion,
    error,
    hang_up,
    malformed,
    slow,
    stream,
)

MESSAGES = (
    ChatMessage(role="system", content="You are a terse assistant."),
    ChatMessage(role="user", content="Say hello."),
)
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"mood": {"type": "string", "enum": ["calm", "tense"]}},
    "required": ["mood"],
}


def chat_model(server: FaultServer | str, **overrides: Any) -> OpenAIChatModel:
    base_url = server if isinstance(server, str) else server.base_url
    options: dict[str, Any] = {"timeout_s": 5.0, "max_retries": 0, **overrides}
    return OpenAIChatModel(
        ChatConfig(model="scripted-model", base_url=base_url, api_key="test-key", **options)
    )


def failure(call: Any) -> tuple[ModelError, float]:
    started = time.perf_counter()
    with pytest.raises(ModelError) as caught:
        call()
    return caught.value, time.perf_counter() - started


# --- what is sent, what comes back ------------------------------------------------------------


def test_complete_returns_text_and_usage(fault_server: FaultServer) -> None:
    fault_server.script(completion("Hello there.", prompt_tokens=13, completion_tokens=4))

    answer = chat_model(fault_server).complete(MESSAGES)

    assert answer.text == "Hello there."
    assert (answer.tokens_in, answer.tokens_out) == (13, 4)
    assert answer.latency_ms >= 0
    [request] = fault_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer test-key"
    body = request.body
    assert body["model"] == "scripted-model"
    assert body["messages"] == [
        {"role": "system", "content": "You are a terse assistant."},
        {"role": "user", "content": "Say hello."},
    ]
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 800  # ChatConfig's default
    assert "max_completion_tokens" not in body
    assert "response_format" not in body
    assert not body.get("stream", False)


def test_max_tokens_argument_wins_over_the_config(fault_server: FaultServer) -> None:
    fault_server.script(completion("ok"))

    chat_model(fault_server, max_tokens=300).complete(MESSAGES, max_tokens=12)

    assert fault_server.bodies()[0]["max_tokens"] == 12


def test_token_param_max_completion_tokens_sends_that_key_instead(
    fault_server: FaultServer,
) -> None:
    fault_server.script(completion("ok"), stream(["ok"]))
    model = chat_model(fault_server, token_param="max_completion_tokens", max_tokens=42)

    model.complete(MESSAGES)
    assert list(model.stream(MESSAGES, max_tokens=7)) == ["ok"]

    first, second = fault_server.bodies()
    assert first["max_completion_tokens"] == 42
    assert second["max_completion_tokens"] == 7
    assert "max_tokens" not in first
    assert "max_tokens" not in second


def test_stream_yields_deltas_and_fills_stats(fault_server: FaultServer) -> None:
    fault_server.script(stream(["Hel", "lo", " there."], usage=(13, 3)))
    stats = StreamStats()

    deltas = list(chat_model(fault_server).stream(MESSAGES, stats=stats))

    assert deltas == ["Hel", "lo", " there."]
    assert stats.chunks == 3
    assert stats.first_token_ms is not None
    assert stats.latency_ms >= stats.first_token_ms
    assert (stats.tokens_in, stats.tokens_out) == (13, 3)  # from the final usage chunk
    [body] = fault_server.bodies()
    assert body["stream"] is True
    assert body["max_tokens"] == 800


def test_stream_asks_the_server_for_usage(fault_server: FaultServer) -> None:
    fault_server.script(stream(["ok"]))

    list(chat_model(fault_server).stream(MESSAGES))

    assert fault_server.bodies()[0].get("stream_options") == {"include_usage": True}


def test_a_text_answer_to_a_json_request_is_handed_back_for_validation(
    fault_server: FaultServer,
) -> None:
    """The provider does not validate: not-JSON text is no transport failure."""
    fault_server.script(completion("I feel calm today, thank you."))

    answer = chat_model(fault_server).complete(MESSAGES, json_schema=SCHEMA)

    assert answer.text == "I feel calm today, thank you."
    with pytest.raises(json.JSONDecodeError):
        json.loads(answer.text)
    assert len(fault_server.requests) == 1  # a 200 is not a reason to step down


# --- failures: kind, retryable, number of requests --------------------------------------------


@pytest.mark.parametrize(
    ("step", "kind", "retryable"),
    [
        pytest.param(error(429, "slow down", Retry_After="0"), "rate_limited", True, id="429"),
        pytest.param(error(500), "server", True, id="500"),
        pytest.param(error(503), "server", True, id="503"),
        pytest.param(hang_up(), "unavailable", True, id="hang-up"),
        pytest.param(error(400), "rejected", False, id="400"),
        pytest.param(error(401), "rejected", False, id="401"),
        pytest.param(error(404), "rejected", False, id="404"),
        pytest.param(error(422), "rejected", False, id="422"),
    ],
)
def test_failure_kind_and_retries(
    fault_server: FaultServer, step: Step, kind: str, retryable: bool
) -> None:
    fault_server.script(step)
    model = chat_model(fault_server, max_retries=2)

    caught, elapsed = failure(lambda: model.complete(MESSAGES))

    assert caught.kind == kind
    assert caught.retryable is retryable
    expected_requests = 3 if retryable else 1
    assert len(fault_server.requests) == expected_requests
    # Backoff between the 3 tries: ~0.5 s then ~1 s (Retry-After: 0 is not a delay to honour).
    assert elapsed < (3.0 if retryable else 1.0)


def test_retry_then_success_returns_the_answer(fault_server: FaultServer) -> None:
    fault_server.script(error(503), completion("second time lucky"))

    answer = chat_model(fault_server, max_retries=1).complete(MESSAGES)

    assert answer.text == "second time lucky"
    assert len(fault_server.requests) == 2


def test_no_retries_means_one_request(fault_server: FaultServer) -> None:
    fault_server.script(error(500))

    caught, _ = failure(lambda: chat_model(fault_server, max_retries=0).complete(MESSAGES))

    assert caught.kind == "server"
    assert len(fault_server.requests) == 1


def test_timeout_is_bounded_by_the_timeout(fault_server: FaultServer) -> None:
    fault_server.script(slow(3.0))
    model = chat_model(fault_server, timeout_s=0.3, max_retries=0)

    caught, elapsed = failure(lambda: model.complete(MESSAGES))

    assert caught.kind == "timeout"
    assert caught.retryable
    assert len(fault_server.requests) == 1
    assert elapsed < 0.3 + 0.7


def test_timeout_with_one_retry_makes_exactly_two_requests(fault_server: FaultServer) -> None:
    fault_server.script(slow(3.0))
    model = chat_model(fault_server, timeout_s=0.3, max_retries=1)

    caught, elapsed = failure(lambda: model.complete(MESSAGES))

    assert caught.kind == "timeout"
    assert len(fault_server.requests) == 2
    # two timeouts + one backoff (at most 0.5 s) + slack; far below the slow answer's 3 s each
    assert elapsed < 2 * 0.3 + 0.5 + 0.8


def test_server_down_is_unavailable() -> None:
    base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there

    caught, elapsed = failure(lambda: chat_model(base_url, max_retries=1).complete(MESSAGES))

    assert caught.kind == "unavailable"
    assert caught.retryable
    assert elapsed < 2.0


def test_stream_failure_before_the_first_chunk(fault_server: FaultServer) -> None:
    fault_server.script(error(502))
    stats = StreamStats()

    caught, _ = failure(
        lambda: list(chat_model(fault_server, max_retries=1).stream(MESSAGES, stats=stats))
    )

    assert caught.kind == "server"
    assert len(fault_server.requests) == 2
    assert stats.first_token_ms is None
    assert stats.chunks == 0


def test_stream_that_stalls_midway_times_out(fault_server: FaultServer) -> None:
    # events: 0 role, 1 "one", 2 "two" (stalls before it), ...
    fault_server.script(stream(["one", "two", "three"], stall_before=2, stall_s=3.0))
    model = chat_model(fault_server, timeout_s=0.3, max_retries=0)
    received: list[str] = []

    def consume() -> None:
        received.extend(model.stream(MESSAGES))

    caught, elapsed = failure(consume)

    assert caught.kind == "timeout"
    assert received == ["one"]
    assert elapsed < 0.3 + 0.7


# Responses the `openai` client cannot turn into a completion. agents/llm.py's
# Bodies and stream events that are not chat completions must come out as ModelError too,
# or an agent that handles ModelError would crash instead of falling back.


def test_malformed_json_body_is_a_server_failure(fault_server: FaultServer) -> None:
    fault_server.script(malformed())

    caught, _ = failure(lambda: chat_model(fault_server).complete(MESSAGES))

    assert caught.kind == "server"


def test_a_200_that_is_not_json_is_a_server_failure(fault_server: FaultServer) -> None:
    fault_server.script(Step(body=b"<html>proxy error</html>", content_type="text/html"))

    caught, _ = failure(lambda: chat_model(fault_server).complete(MESSAGES))

    assert caught.kind == "server"


def test_error_event_mid_stream_is_a_server_failure(fault_server: FaultServer) -> None:
    fault_server.script(stream(["one", "two", "three"], error_after=1))
    received: list[str] = []

    def consume() -> None:
        received.extend(chat_model(fault_server).stream(MESSAGES))

    caught, _ = failure(consume)

    assert caught.kind == "server"
    assert received == ["one"]


def test_malformed_stream_event_is_a_server_failure(fault_server: FaultServer) -> None:
    fault_server.script(Step(content_type="text/event-stream", events=(b"data: {oops\n\n",)))

    caught, _ = failure(lambda: list(chat_model(fault_server).stream(MESSAGES)))

    assert caught.kind == "server"


# --- JSON mode: json_schema, then one step down to json_object on a 400 ----------------------


def test_json_schema_is_sent_with_the_schema_also_in_the_prompt(fault_server: FaultServer) -> None:
    fault_server.script(completion('{"mood": "calm"}'))

    answer = chat_model(fault_server).complete(MESSAGES, json_schema=SCHEMA)

    assert json.loads(answer.text) == {"mood": "calm"}
    [body] = fault_server.bodies()
    assert body["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "answer", "schema": SCHEMA, "strict": False},
    }
    last = body["messages"][-1]["content"]
    assert last.startswith("Say hello.")
    assert json.dumps(SCHEMA) in last
    assert MESSAGES[-1].content == "Say hello."  # the caller's message is not mutated


def test_400_on_json_schema_steps_down_once_to_json_object(fault_server: FaultServer) -> None:
    fault_server.script(
        error(400, "response_format type json_schema is not supported"),
        completion('{"mood": "calm"}'),
    )
    model = chat_model(fault_server, max_retries=2)

    answer = model.complete(MESSAGES, json_schema=SCHEMA)

    assert answer.text == '{"mood": "calm"}'
    first, second = fault_server.bodies()
    assert first["response_format"]["type"] == "json_schema"
    assert second["response_format"] == {"type": "json_object", "schema": SCHEMA}
    assert second["max_tokens"] == 800
    assert "max_completion_tokens" not in second
    assert second["messages"] == first["messages"]  # the schema is not appended twice
    assert second["messages"][-1]["content"].count(json.dumps(SCHEMA)) == 1

    # Remembered: the next JSON request goes straight to json_object, one request.
    model.complete(MESSAGES, json_schema=SCHEMA)
    assert len(fault_server.requests) == 3
    assert fault_server.bodies()[2]["response_format"]["type"] == "json_object"


def test_step_down_keeps_the_configured_token_param(fault_server: FaultServer) -> None:
    fault_server.script(error(400), completion("{}"))

    chat_model(fault_server, token_param="max_completion_tokens").complete(
        MESSAGES, json_schema=SCHEMA, max_tokens=64
    )

    _, second = fault_server.bodies()
    assert second["response_format"]["type"] == "json_object"
    assert second["max_completion_tokens"] == 64
    assert "max_tokens" not in second


def test_422_on_json_schema_steps_down_too(fault_server: FaultServer) -> None:
    """Servers that validate the request body first (FastAPI's default) answer 422."""
    fault_server.script(error(422), completion('{"mood": "tense"}'))

    answer = chat_model(fault_server).complete(MESSAGES, json_schema=SCHEMA)

    assert answer.text == '{"mood": "tense"}'
    assert [b["response_format"]["type"] for b in fault_server.bodies()] == [
        "json_schema",
        "json_object",
    ]


def test_json_object_refused_too_steps_down_to_no_response_format(
    fault_server: FaultServer,
) -> None:
    fault_server.script(error(400), error(400), completion('{"mood": "calm"}'))

    answer = chat_model(fault_server).complete(MESSAGES, json_schema=SCHEMA)

    assert answer.text == '{"mood": "calm"}'
    bodies = fault_server.bodies()
    assert len(bodies) == 3
    assert "response_format" not in bodies[2]
    assert json.dumps(SCHEMA) in bodies[2]["messages"][-1]["content"]  # still in the prompt


def test_refused_everywhere_raises_rejected_after_three_requests(
    fault_server: FaultServer,
) -> None:
    fault_server.script(error(400))

    caught, _ = failure(lambda: chat_model(fault_server).complete(MESSAGES, json_schema=SCHEMA))

    assert caught.kind == "rejected"
    assert not caught.retryable
    assert len(fault_server.requests) == 3


def test_a_request_refused_in_every_mode_does_not_step_the_model_down(
    fault_server: FaultServer,
) -> None:
    """llama.cpp answers 400 to a prompt longer than its context window, whatever the
    response_format: one such request must not cost the later ones their schema."""
    overflow = "Requested tokens (4410) exceed context window of 4096"
    fault_server.script(error(400, overflow))
    model = chat_model(fault_server, json_mode="json_object")

    caught, _ = failure(lambda: model.complete(MESSAGES, json_schema=SCHEMA))

    assert caught.kind == "rejected"
    assert len(fault_server.requests) == 2  # json_object, then no response_format
    fault_server.script(completion('{"mood": "calm"}'))
    model.complete(MESSAGES, json_schema=SCHEMA)
    assert fault_server.bodies()[-1]["response_format"]["type"] == "json_object"


def test_json_object_mode_sends_json_object_with_the_schema(fault_server: FaultServer) -> None:
    fault_server.script(completion('{"mood": "calm"}'))

    chat_model(fault_server, json_mode="json_object").complete(MESSAGES, json_schema=SCHEMA)

    [body] = fault_server.bodies()
    assert body["response_format"] == {"type": "json_object", "schema": SCHEMA}


def test_json_mode_none_sends_no_response_format(fault_server: FaultServer) -> None:
    fault_server.script(completion('{"mood": "calm"}'))

    chat_model(fault_server, json_mode="none").complete(MESSAGES, json_schema=SCHEMA)

    [body] = fault_server.bodies()
    assert "response_format" not in body
    assert json.dumps(SCHEMA) in body["messages"][-1]["content"]


def test_server_errors_on_json_schema_do_not_step_down(fault_server: FaultServer) -> None:
    fault_server.script(error(500))

    caught, _ = failure(
        lambda: chat_model(fault_server, max_retries=1).complete(MESSAGES, json_schema=SCHEMA)
    )

    assert caught.kind == "server"
    assert [b["response_format"]["type"] for b in fault_server.bodies()] == ["json_schema"] * 2


# What llama-cpp-python 0.3.36's server really answers to a json_schema response_format
# (tests/integration/llm/test_llama_server.py checks it against the real server).
LLAMA_CPP_REFUSAL = (
    "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', "
    "'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema'}"
)


def test_llama_cpp_refusal_of_json_schema_steps_down(fault_server: FaultServer) -> None:
    fault_server.script(error(500, LLAMA_CPP_REFUSAL), completion('{"mood": "calm"}'))

    # No client retries here: with them, the retry of the 500 would take the script's 200.
    answer = chat_model(fault_server, max_retries=0).complete(MESSAGES, json_schema=SCHEMA)

    assert answer.text == '{"mood": "calm"}'
    assert [b["response_format"]["type"] for b in fault_server.bodies()] == [
        "json_schema",
        "json_object",
    ]


@pytest.mark.parametrize("status", [401, 404])
def test_a_4xx_unrelated_to_response_format_does_not_step_down(
    fault_server: FaultServer, status: int
) -> None:
    fault_server.script(error(status))
    model = chat_model(fault_server)

    caught, _ = failure(lambda: model.complete(MESSAGES, json_schema=SCHEMA))

    assert caught.kind == "rejected"
    assert len(fault_server.requests) == 1
    fault_server.script(completion("{}"))
    model.complete(MESSAGES, json_schema=SCHEMA)
    assert fault_server.bodies()[-1]["response_format"]["type"] == "json_schema"


# --- build_chat_model -------------------------------------------------------------------------


def test_build_chat_model_talks_to_the_configured_endpoint(fault_server: FaultServer) -> None:
    fault_server.script(completion("built"))
    config = ChatConfig(model="scripted-model", base_url=fault_server.base_url, max_retries=0)

    model = build_chat_model("openai", config)

    assert model is not None
    assert (model.provider, model.model) == ("openai", "scripted-model")
    assert model.complete(MESSAGES).text == "built"
    assert fault_server.requests[0].headers["authorization"] == "Bearer unused"


def test_build_chat_model_composer_is_no_model() -> None:
    assert build_chat_model("composer") is None


@pytest.mark.parametrize(
    ("config", "names"),
    [
        pytest.param(None, "OPENAI_BASE_URL", id="no-config"),
        pytest.param(ChatConfig(model="m"), "OPENAI_BASE_URL", id="no-endpoint"),
        pytest.param(
            ChatConfig(model="", base_url="http://127.0.0.1:9/v1"),
            "INTERLUDE_CHAT_MODEL",
            id="no-model",
        ),
    ],
)
def test_build_chat_model_names_the_missing_setting(config: ChatConfig | None, names: str) -> None:
    with pytest.raises(ProviderConfigError, match=names):
        build_chat_model("openai", config)
