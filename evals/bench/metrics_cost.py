"""What the request metrics cost (app/lib/metrics.py), measured where they are taken.

The access-log middleware is driven directly (no socket, no router) around an ASGI app that
answers at once, so what is left is the middleware's own work: the request id, the timing,
the JSON log line (written to /dev/null) and, in one variant, the two metric updates (a
counter and a histogram, labelled by route template). The variants alternate in rounds, and
the difference of their medians is the metrics' cost per request. A scrape's cost (rendering
a registry holding 50 routes x 4 statuses) is timed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import sys
import time
from collections.abc import Iterator
from typing import Any

from prometheus_client import generate_latest

from app.lib.logging import AccessLogMiddleware, configure_logging
from app.lib.metrics import Metrics
from app.settings import Settings

ROUTE = "/api/v1/conversations/{conversation_id:uuid}/messages"


class _Nothing:
    def labels(self, *_: str) -> _Nothing:
        return self

    def inc(self) -> None:
        return None

    def observe(self, _: float) -> None:
        return None


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _discard(_: Any) -> None:
    return None


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


def _scope() -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path_template": ROUTE, "headers": []}


async def _per_request_us(app: Any, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await app(_scope(), _receive, _discard)
    return (time.perf_counter() - started) / requests * 1e6


@contextlib.contextmanager
def _logs_to_nowhere() -> Iterator[None]:
    stderr = sys.stderr
    with open(os.devnull, "w") as nowhere:
        sys.stderr = nowhere
        try:
            yield
        finally:
            sys.stderr = stderr


def run_metrics_cost_bench(requests: int = 5_000, rounds: int = 9) -> str:
    configure_logging(Settings(log_format="json", log_level="INFO"))
    with_metrics = AccessLogMiddleware(_answer)
    without = AccessLogMiddleware(_answer)
    without._requests = without._latency = _Nothing()  # type: ignore[assignment]
    timings: dict[str, list[float]] = {"with": [], "without": [], "bare": []}
    with _logs_to_nowhere():
        for _ in range(rounds):
            timings["without"].append(asyncio.run(_per_request_us(without, requests)))
            timings["with"].append(asyncio.run(_per_request_us(with_metrics, requests)))
            timings["bare"].append(asyncio.run(_per_request_us(_answer, requests)))
    median = {name: statistics.median(values) for name, values in timings.items()}
    cost = median["with"] - median["without"]

    registry = Metrics()
    for route in range(50):
        for status in ("200", "201", "404", "500"):
            registry.requests.labels("GET", f"/r{route}", status).inc()
            registry.latency.labels("GET", f"/r{route}").observe(0.01)
    counter, histogram = (
        registry.requests.labels("POST", ROUTE, "201"),
        registry.latency.labels("POST", ROUTE),
    )
    updates_us = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            counter.inc()
            histogram.observe(0.012)
        updates_us.append((time.perf_counter() - started) / requests * 1e6)
    scrape_ms = []
    for _ in range(50):
        started = time.perf_counter()
        body = generate_latest(registry.registry)
        scrape_ms.append((time.perf_counter() - started) * 1000)
    return "\n".join(
        [
            f"Request metrics: {rounds} rounds of {requests} requests, median per request",
            f"  app alone (ASGI, answers at once)      {median['bare']:8.1f} µs",
            f"  access-log middleware, no metrics      {median['without']:8.1f} µs",
            f"  access-log middleware, with metrics    {median['with']:8.1f} µs",
            f"  the metrics' cost                      {cost:8.1f} µs",
            f"  the two updates alone, in a loop       {statistics.median(updates_us):8.1f} µs",
            f"Scrape of 200 series ({len(body)} bytes): "
            f"median {statistics.median(scrape_ms):.2f} ms (queue queries not included)",
        ]
    )
