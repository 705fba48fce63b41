"""A scripted OpenAI-compatible server, for the tests of `agents/llm.py`.

`FaultServer`: an endpoint on 127.0.0.1 that answers each `POST /v1/chat/completions` with the
next step of a script (an error status, a slow answer, a malformed body, a completion, an SSE
stream...) and records every request it received. The real server (llama.cpp on SmolLM2) is
`evals.llama_server.LlamaServer`, shared with `python -m evals eval --provider smollm2`.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True, slots=True)
class Step:
    """One scripted answer. Build them with the functions below."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()
    delay_s: float = 0.0  # before the status line
    events: tuple[bytes, ...] | None = None  # an SSE stream instead of `body`
    stall_before: int | None = None  # index of the event before which the stream stalls
    stall_s: float = 0.0
    hang_up: bool = False  # close the connection without answering


def error(status: int, message: str = "scripted error", **headers: str) -> Step:
    """An error status with an OpenAI-style error body. Header names: `Retry_After=...`."""
    body = {"error": {"message": message, "type": "scripted", "param": None, "code": None}}
    return Step(
        status=status,
        body=json.dumps(body).encode(),
        headers=tuple((name.replace("_", "-"), value) for name, value in headers.items()),
    )


def completion_body(text: str, *, prompt_tokens: int = 11, completion_tokens: int = 7) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-scripted",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": "scripted",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }
    ).encode()


def completion(text: str, *, prompt_tokens: int = 11, completion_tokens: int = 7) -> Step:
    """A valid chat completion whose message content is `text` (JSON or not)."""
    return Step(
        body=completion_body(text, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
    )


def slow(delay_s: float, then: Step | None = None) -> Step:
    """`then` (a valid completion by default), sent only after `delay_s` seconds."""
    return replace(then or completion("too late"), delay_s=delay_s)


def hang_up() -> Step:
    """Read the request, then close the connection without a word."""
    return Step(hang_up=True)


def malformed() -> Step:
    """200 with a JSON content type and a body that is not JSON."""
    return Step(body=b'{"id": "chatcmpl-broken", "choices": [{"index": 0, "mess')


def _chunk(delta: Mapping[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": "scripted",
        "choices": [{"index": 0, "delta": dict(delta), "finish_reason": finish}],
    }


def _event(data: Mapping[str, Any] | str) -> bytes:
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"data: {payload}\n\n".encode()


def stream(
    deltas: Sequence[str],
    *,
    usage: tuple[int, int] | None = (11, 7),
    error_after: int | None = None,
    stall_before: int | None = None,
    stall_s: float = 0.0,
) -> Step:
    """An SSE stream: a role chunk, one chunk per delta, a finish chunk, a usage chunk (no
    choices, as OpenAI sends with stream_options.include_usage), then `[DONE]`.

    `error_after=n` replaces everything after the n-th delta with an `{"error": ...}` event;
    `stall_before=i` pauses `stall_s` seconds before event i (event 0 is the role chunk).
    """
    events = [_event(_chunk({"role": "assistant", "content": ""}))]
    for index, delta in enumerate(deltas):
        if error_after is not None and index == error_after:
            events.append(_event({"error": {"message": "scripted failure mid-stream"}}))
            return Step(
                content_type="text/event-stream",
                events=tuple(events),
                stall_before=stall_before,
                stall_s=stall_s,
            )
        events.append(_event(_chunk({"content": delta})))
    events.append(_event(_chunk({}, finish="stop")))
    if usage is not None:
        chunk = _chunk({})
        chunk["choices"] = []
        chunk["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": usage[0] + usage[1],
        }
        events.append(_event(chunk))
    events.append(_event("[DONE]"))
    return Step(
        content_type="text/event-stream",
        events=tuple(events),
        stall_before=stall_before,
        stall_s=stall_s,
    )


@dataclass(frozen=True, slots=True)
class Received:
    """One request the fault server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: _ScriptedHTTPServer
    protocol_version = "HTTP/1.0"  # one request per connection, the end of a stream is EOF

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the test reads `FaultServer.requests` instead."""

    def do_GET(self) -> None:
        self._send_simple(404, b'{"error": {"message": "only POST /v1/chat/completions"}}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            body = {"_unparsed": raw.decode("utf-8", "replace")}
        if self.path != "/v1/chat/completions":
            self._send_simple(404, b'{"error": {"message": "unknown path"}}')
            return
        step = self.server.owner.take(
            Received(
                method="POST",
                path=self.path,
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
        )
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer(step)

    def _send_simple(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _answer(self, step: Step) -> None:
        stopping = self.server.owner.stopping
        if step.hang_up:
            self.close_connection = True
            return
        if step.delay_s and stopping.wait(step.delay_s):
            return
        self.send_response(step.status)
        self.send_header("Content-Type", step.content_type)
        for name, value in step.headers:
            self.send_header(name, value)
        if step.events is None:
            self.send_header("Content-Length", str(len(step.body)))
            self.end_headers()
            self.wfile.write(step.body)
            return
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        for index, event in enumerate(step.events):
            if index == step.stall_before and stopping.wait(step.stall_s):
                return
            self.wfile.write(event)
            self.wfile.flush()


class _ScriptedHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: FaultServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner


class FaultServer:
    """A scripted OpenAI-compatible chat endpoint on 127.0.0.1.

    `script(*steps)` sets the answers, in order; once used up, the last step repeats (so
    `script(error(500))` answers 500 to every retry). `requests` lists what was received.
    """

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._steps: list[Step] = [error(599, "fault server: no script")]
        self._requests: list[Received] = []
        self._server = _ScriptedHTTPServer(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes the handlers that sleep in a slow answer or a stall
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def script(self, *steps: Step) -> None:
        if not steps:
            raise ValueError("a script needs at least one step")
        with self._lock:
            self._steps = list(steps)

    def take(self, received: Received) -> Step:
        with self._lock:
            self._requests.append(received)
            return self._steps.pop(0) if len(self._steps) > 1 else self._steps[0]

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    def bodies(self) -> list[dict[str, Any]]:
        return [received.body for received in self.requests]
