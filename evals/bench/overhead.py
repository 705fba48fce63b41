"""Service overhead around a model call: the same fake model, called directly and through the
whole stack, over real HTTP on 127.0.0.1.

The app is served by uvicorn in a thread of this process, around a FixedDelayModel (a fixed
answer after `delay_s`, in several deltas): being in the same process, the benchmark reads the
`perf_counter()` at which the model yielded its first delta, so time-to-first-byte is measured,
not assumed. One learner with an API key and a conversation; one sample-pack document indexed,
so the guard and retrieval do their real work on every turn. Logs: JSON at INFO, to a file.

For each turn, after the warm-up ones:
- direct: `FixedDelayModel.stream` consumed here, timed;
- through the stack: POST .../messages/stream with one reused httpx connection, timed from the
  request's start to the response's last byte (the `reply` event, once the reply is stored);
- overhead: through-stack minus direct, for that turn;
- first byte after first token: arrival of the first `delta` event minus the model's first
  yield;
- before model / after model: request start to the model's call, last delta to the last byte
  (where the overhead goes).

The client runs in the same process as the server (one request at a time, so it waits on the
socket while the server works); the throughput benchmark puts them in separate processes.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx
import uvicorn
from litestar import Litestar

from agents.llm import ChatMessage
from app.asgi import create_app
from app.db import migrate
from app.domain.agents.runtime import AgentRuntime
from evals.bench.fixed_model import FixedDelayModel
from evals.bench.queue import bench_database
from evals.bench.results import Report, summarise_ms
from evals.bench.throughput import (
    BenchLearner,
    bench_settings,
    free_port,
    learner_message,
    load_average,
    quiet_client_logs,
    save_report,
    seed_learners,
)
from knowledge.store import KnowledgeStore

OVERHEAD_P95_TARGET_MS = 30.0
FIRST_BYTE_P95_TARGET_MS = 20.0


READY_TIMEOUT_S = 900


@contextlib.contextmanager
def served_in_thread(app: Litestar, timeout_s: float = 60) -> Iterator[str]:
    """uvicorn (one process, as `interlude serve` runs it) in a thread; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", workers=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="bench-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout_s
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("The benchmark server did not start.")
        time.sleep(0.01)
    base_url = f"http://127.0.0.1:{port}"
    # Ready, not only started: the safety guard trains its reader at start when nothing is
    # cached (about two minutes of CPU for the whole corpus), and a first turn sent before
    # then waits for it, past any request timeout, and would time the training, not the turn.
    ready_by = time.monotonic() + READY_TIMEOUT_S
    while httpx.get(f"{base_url}/health/ready", timeout=10).status_code != 200:
        if not thread.is_alive() or time.monotonic() > ready_by:
            raise RuntimeError(f"The benchmark server was not ready within {READY_TIMEOUT_S} s.")
        time.sleep(0.5)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@dataclass
class Samples:
    direct: list[float] = field(default_factory=list)
    stack: list[float] = field(default_factory=list)
    overhead: list[float] = field(default_factory=list)
    first_byte_after_first_token: list[float] = field(default_factory=list)
    before_model: list[float] = field(default_factory=list)
    after_model: list[float] = field(default_factory=list)


def _direct_ms(model: FixedDelayModel, text: str) -> float:
    started = time.perf_counter()
    for _ in model.stream([ChatMessage("user", text)]):
        pass
    return (time.perf_counter() - started) * 1000


def _one_turn(
    client: httpx.Client, learner: BenchLearner, served: FixedDelayModel, text: str
) -> tuple[float, float, float, float]:
    """(through-stack ms, first delta after first token ms, before model ms, after model ms)"""
    body = b""
    first_delta: float | None = None
    calls_before = served.stream_calls
    started = time.perf_counter()
    with client.stream(
        "POST", f"{learner.messages_path}/stream", json={"content": text}, headers=learner.headers
    ) as response:
        for chunk in response.iter_raw():
            body += chunk
            if first_delta is None and b"event: delta" in body:
                first_delta = time.perf_counter()
    ended = time.perf_counter()
    if response.status_code != 201 or b"event: reply" not in body or first_delta is None:
        raise RuntimeError(f"A streamed turn failed: {response.status_code} {body[-500:]!r}")
    if served.stream_calls != calls_before + 1:
        raise RuntimeError("The served model was not called exactly once for the turn.")
    times = served.times[-1]
    return (
        (ended - started) * 1000,
        (first_delta - times.yields[0]) * 1000,
        (times.started - started) * 1000,
        (ended - times.yields[-1]) * 1000,
    )


def _measure(
    base_url: str,
    learner: BenchLearner,
    served: FixedDelayModel,
    direct: FixedDelayModel,
    turns: int,
    warmup: int,
) -> Samples:
    samples = Samples()
    with httpx.Client(base_url=base_url, timeout=60) as client:
        for turn in range(warmup + turns):
            text = learner_message(turn)
            direct_ms = _direct_ms(direct, text)
            stack_ms, first_byte_ms, before_ms, after_ms = _one_turn(client, learner, served, text)
            if turn < warmup:
                continue
            samples.direct.append(direct_ms)
            samples.stack.append(stack_ms)
            samples.overhead.append(stack_ms - direct_ms)
            samples.first_byte_after_first_token.append(first_byte_ms)
            samples.before_model.append(before_ms)
            samples.after_model.append(after_ms)
    return samples


def _metrics(samples: Samples) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for name in (
        "overhead",
        "first_byte_after_first_token",
        "before_model",
        "after_model",
        "direct",
        "stack",
    ):
        for stat, value in summarise_ms(getattr(samples, name)).items():
            metrics[f"{name}.{stat}"] = value
    return metrics


def _verdict(metrics: dict[str, float]) -> str:
    def line(label: str, value: float, target: float) -> str:
        met = "met" if value <= target else "MISSED"
        return f"  target {label} p95 ≤ {target:g} ms: {value:.1f} ms, {met}"

    return "\n".join(
        [
            line("overhead", metrics["overhead.p95_ms"], OVERHEAD_P95_TARGET_MS),
            line(
                "first byte after first token",
                metrics["first_byte_after_first_token.p95_ms"],
                FIRST_BYTE_P95_TARGET_MS,
            ),
        ]
    )


def run_overhead_bench(
    backends: list[str],
    turns: int,
    warmup: int,
    delay_s: float,
    postgres_url: str,
    reports: Path,
) -> list[str]:
    quiet_client_logs()
    tables = []
    for backend in backends:
        with (
            bench_database(backend, postgres_url) as url,
            TemporaryDirectory(prefix="interlude-bench-data-") as data,
        ):
            migrate.upgrade(url)
            settings = bench_settings(url, Path(data))
            learner = seed_learners(settings, 1)[0]
            served = FixedDelayModel(delay_s)
            load = load_average()

            def agents(knowledge: KnowledgeStore, model: FixedDelayModel = served) -> AgentRuntime:
                return AgentRuntime.with_model(knowledge, model)

            with (
                (Path(data) / "server.log").open("w") as log,
                contextlib.redirect_stderr(log),  # the app's JSON logs, as in production
            ):
                app = create_app(settings, agents=agents)
                with served_in_thread(app) as base_url:
                    samples = _measure(
                        base_url, learner, served, FixedDelayModel(delay_s), turns, warmup
                    )
        metrics = _metrics(samples)
        load_after = load_average()
        report = Report(
            name=f"overhead-{backend}",
            parameters={
                "turns": turns,
                "warmup": warmup,
                "delay_ms": round(delay_s * 1000),
                "deltas": len(served.pieces),
                "server": "uvicorn, 1 process, in a thread of the benchmark's process",
                "load_average_before": load,
                "load_average_after": load_after,
            },
            metrics=metrics,
        )
        tables.append(f"{save_report(report, reports)}\n{_verdict(metrics)}")
    return tables
