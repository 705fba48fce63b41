"""What the OpenAI-compatible layer costs over the native chat (issue #15: ≤ 2 ms p95).

One server (uvicorn in a thread, as `bench overhead` runs it) around a FixedDelayModel; one
learner with an API key and one conversation. Each turn sends a new message twice, once to
each endpoint, on the same conversation so both see the same history, in alternating order
(native first on even turns, OpenAI first on odd ones) so drift in the machine's load falls on
both alike. Two modes, each with its pair:
- streamed: POST .../messages/stream (server-sent events to the `reply` event) against
  POST /v1/chat/completions with `stream: true` (chunks to `data: [DONE]`);
- whole: POST .../messages against POST /v1/chat/completions.
Each request is timed from its start to its last byte, on one reused httpx connection per
endpoint; plain httpx on both sides, so the OpenAI SDK's own parsing is not counted.

The target reads "overhead ≤ 2 ms p95" as: the OpenAI endpoint's p95 latency minus the native
endpoint's p95 latency. A paired difference (turn by turn) is printed too: its median is the
steady cost; its p95 mostly measures the jitter of two independent requests (several ms on a
shared machine), not the layer.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

import httpx

from app.asgi import create_app
from app.db import migrate
from app.domain.agents.runtime import AgentRuntime
from evals.bench.fixed_model import FixedDelayModel
from evals.bench.overhead import served_in_thread
from evals.bench.queue import bench_database
from evals.bench.results import Report, percentile, summarise_ms
from evals.bench.throughput import (
    BenchLearner,
    bench_settings,
    learner_message,
    load_average,
    quiet_client_logs,
    save_report,
    seed_learners,
)
from knowledge.store import KnowledgeStore

OPENAI_OVERHEAD_P95_TARGET_MS = 2.0
MODES = ("streamed", "whole")
COMPLETIONS = "/v1/chat/completions"


@dataclass
class Pairs:
    native: list[float] = field(default_factory=list)
    openai: list[float] = field(default_factory=list)


@dataclass
class Endpoints:
    """The two requests of one mode, each returning its time to last byte in ms."""

    learner: BenchLearner
    native_client: httpx.Client
    openai_client: httpx.Client

    def native(self, mode: str, text: str) -> float:
        path = self.learner.messages_path + ("/stream" if mode == "streamed" else "")
        return _timed(self.native_client, path, {"content": text}, b"event: reply", mode)

    def openai(self, mode: str, text: str) -> float:
        body = {
            "model": "interlude-companion",
            "messages": [{"role": "user", "content": text}],
            "stream": mode == "streamed",
            "conversation_id": self.learner.conversation_id,
        }
        return _timed(self.openai_client, COMPLETIONS, body, b"data: [DONE]", mode)


def _timed(client: httpx.Client, path: str, body: object, end: bytes, mode: str) -> float:
    received = b""
    started = time.perf_counter()
    with client.stream("POST", path, content=json.dumps(body).encode()) as response:
        for chunk in response.iter_raw():
            received += chunk
    elapsed = (time.perf_counter() - started) * 1000
    if not response.is_success or (mode == "streamed" and end not in received):
        raise RuntimeError(f"{path} failed: {response.status_code} {received[-500:]!r}")
    return elapsed


def _measure(endpoints: Endpoints, turns: int, warmup: int) -> dict[str, Pairs]:
    measured = {mode: Pairs() for mode in MODES}
    for turn in range(warmup + turns):
        for mode in MODES:
            text = learner_message(turn) + f" ({mode})"  # new text: each turn embeds its own
            if turn % 2:
                openai_ms, native_ms = endpoints.openai(mode, text), endpoints.native(mode, text)
            else:
                native_ms, openai_ms = endpoints.native(mode, text), endpoints.openai(mode, text)
            if turn >= warmup:
                measured[mode].native.append(native_ms)
                measured[mode].openai.append(openai_ms)
    return measured


def _metrics(measured: dict[str, Pairs]) -> dict[str, float]:
    metrics: dict[str, float] = {}
    for mode, pairs in measured.items():
        for side in ("native", "openai"):
            for stat, value in summarise_ms(getattr(pairs, side)).items():
                metrics[f"{mode}.{side}.{stat}"] = value
        metrics[f"{mode}.overhead.p95_ms"] = round(
            percentile(pairs.openai, 95) - percentile(pairs.native, 95), 3
        )
        metrics[f"{mode}.overhead.p50_ms"] = round(
            percentile(pairs.openai, 50) - percentile(pairs.native, 50), 3
        )
        paired = [o - n for o, n in zip(pairs.openai, pairs.native, strict=True)]
        metrics[f"{mode}.paired_difference.p50_ms"] = round(percentile(paired, 50), 3)
    return metrics


def _verdict(metrics: dict[str, float]) -> str:
    lines = []
    for mode in MODES:
        value = metrics[f"{mode}.overhead.p95_ms"]
        met = "met" if value <= OPENAI_OVERHEAD_P95_TARGET_MS else "MISSED"
        lines.append(
            f"  target {mode} OpenAI-compatible overhead p95 ≤ "
            f"{OPENAI_OVERHEAD_P95_TARGET_MS:g} ms: {value:+.1f} ms "
            f"(p50 {metrics[f'{mode}.overhead.p50_ms']:+.1f}, paired median "
            f"{metrics[f'{mode}.paired_difference.p50_ms']:+.1f}), {met}"
        )
    return "\n".join(lines)


def run_openai_overhead_bench(
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
            model = FixedDelayModel(delay_s)
            load = load_average()

            def agents(knowledge: KnowledgeStore, served: FixedDelayModel = model) -> AgentRuntime:
                return AgentRuntime.with_model(knowledge, served)

            headers = {**learner.headers, "Content-Type": "application/json"}
            with (
                (Path(data) / "server.log").open("w") as log,
                contextlib.redirect_stderr(log),  # the app's JSON logs, as in production
            ):
                app = create_app(settings, agents=agents)
                with (
                    served_in_thread(app) as base_url,
                    httpx.Client(base_url=base_url, headers=headers, timeout=60) as native,
                    httpx.Client(base_url=base_url, headers=headers, timeout=60) as openai,
                ):
                    # The guard trains in the background as the server starts (about 45 s):
                    # timed turns beside it would measure that training, on both sides.
                    if app.state.guard_warm_up is not None:
                        app.state.guard_warm_up.join()
                    measured = _measure(Endpoints(learner, native, openai), turns, warmup)
        metrics = _metrics(measured)
        report = Report(
            name=f"openai-overhead-{backend}",
            parameters={
                "turns": turns,
                "warmup": warmup,
                "delay_ms": round(delay_s * 1000),
                "server": "uvicorn, 1 process, in a thread of the benchmark's process",
                "load_average_before": load,
                "load_average_after": load_average(),
            },
            metrics=metrics,
        )
        tables.append(f"{save_report(report, reports)}\n{_verdict(metrics)}")
    return tables
