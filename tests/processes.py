"""Real `interlude` processes for the multi-process tests (tests/integration/test_workers.py):
started from this checkout with the environment a deployment would give them, their output in
a log file, stopped with the signal an orchestrator sends."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# Cold imports and the embedding model on a loaded 2-core machine take tens of seconds.
START_TIMEOUT_S = 300.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def deployment_env(data_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    """One deployment's environment: PostgreSQL, the PostgreSQL knowledge store, the composer,
    one shared data folder (uploads), and this checkout's code first on the path (a second
    worktree would otherwise import the checkout the virtualenv was installed from)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("INTERLUDE_", "OPENAI_"))}
    inherited.pop("DATABASE_URL", None)
    inherited.pop("REDIS_URL", None)
    return {
        **inherited,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), inherited.get("PYTHONPATH")])),
        "INTERLUDE_ENVIRONMENT": "test",
        "INTERLUDE_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "INTERLUDE_KNOWLEDGE_STORE": "postgres",
        "INTERLUDE_CHAT_PROVIDER": "composer",
        "INTERLUDE_LOG_FORMAT": "json",
        "INTERLUDE_LOG_LEVEL": "INFO",
        # A process that hangs can be made to print every thread's stack (`dump_stacks`).
        "PYTHONFAULTHANDLER": "1",
        **extra,
    }


@dataclass
class Process:
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def check_alive(self) -> None:
        if self.popen.poll() is not None:
            raise AssertionError(
                f"the process exited ({self.popen.returncode}):\n{self.output()[-4000:]}"
            )

    def dump_stacks(self) -> None:
        """Abort the process and its descendants, children first; with PYTHONFAULTHANDLER set
        (`deployment_env`) each writes every thread's stack to the log as it dies."""
        for pid in [*_descendants(self.pid), self.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGABRT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, as an orchestrator stops it; its exit code."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            message = f"no exit {timeout} s after SIGTERM:\n{self.output()[-4000:]}"
            raise AssertionError(message) from None


@contextlib.contextmanager
def interlude(args: list[str], env: dict[str, str], log: Path) -> Iterator[Process]:
    """`interlude ARGS` running (from the data folder, so no developer's .env is read); killed
    at the end if the test left it running."""
    with log.open("wb") as out:
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "app.cli", *args],
            cwd=env["INTERLUDE_DATA_DIR"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    process = Process(popen, log)
    try:
        yield process
    finally:
        if popen.poll() is None:
            popen.kill()
            popen.wait()


def wait_until_live(url: str, process: Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        process.check_alive()
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health/live", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    process.dump_stacks()  # where it was stuck, for the message below
    raise AssertionError(f"{url} not live in {START_TIMEOUT_S} s:\n{process.output()[-12000:]}")


def _descendants(pid: int) -> list[int]:
    """Every process below `pid`, deepest first."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [grandchild for child in map(int, children) for grandchild in _descendants(child)] + [
        int(child) for child in children
    ]
