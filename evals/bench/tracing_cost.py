"""What tracing costs (app/lib/tracing.py), off and on, measured where the spans are made.

Off, the request middleware is not installed and the agents' spans come from OpenTelemetry's
no-op tracer: the figure is one no-op span. On, the request middleware runs around an ASGI app
that answers at once (no socket, no router), with the SDK and its batch processor handing the
spans to an exporter that drops them, so what is left is the span's own work, not the network.
The variants alternate in rounds; the difference of their medians is the cost per request.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Sequence
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult
from opentelemetry.trace import Tracer

from app.lib.request_tracing import RequestTracingMiddleware
from app.lib.tracing import NO_TRACER, Tracing

ROUTE = "/api/v1/conversations/{conversation_id}/messages"


class _Dropped(SpanExporter):
    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return SpanExportResult.SUCCESS


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 201, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


async def _discard(_: Any) -> None:
    return None


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


def _scope() -> dict[str, Any]:
    return {
        "type": "http",
        "method": "POST",
        "path_template": ROUTE,
        "headers": [],
        "state": {"request_id": "bench", "organization_id": "0" * 32},
    }


async def _per_request_us(app: Any, requests: int) -> float:
    started = time.perf_counter()
    for _ in range(requests):
        await app(_scope(), _receive, _discard)
    return (time.perf_counter() - started) / requests * 1e6


def _per_span_us(tracer: Tracer, spans: int) -> float:
    started = time.perf_counter()
    for _ in range(spans):
        with tracer.start_as_current_span("retrieval", attributes={"k": 6}) as span:
            span.set_attribute("hits", 6)
    return (time.perf_counter() - started) / spans * 1e6


def run_tracing_cost_bench(requests: int = 5_000, rounds: int = 9) -> str:
    tracing = Tracing.exporting_to(_Dropped(), batch=True)
    traced = RequestTracingMiddleware(_answer, tracing.tracer)
    timings: dict[str, list[float]] = {"bare": [], "traced": [], "noop": [], "sdk": []}
    try:
        for _ in range(rounds):
            timings["bare"].append(asyncio.run(_per_request_us(_answer, requests)))
            timings["traced"].append(asyncio.run(_per_request_us(traced, requests)))
            timings["noop"].append(_per_span_us(NO_TRACER, requests))
            timings["sdk"].append(_per_span_us(tracing.tracer, requests))
    finally:
        tracing.shutdown()
    median = {name: statistics.median(values) for name, values in timings.items()}
    span_cost = median["traced"] - median["bare"]
    return "\n".join(
        [
            f"Tracing: {rounds} rounds of {requests} requests or spans, median each",
            f"  app alone (ASGI, answers at once)        {median['bare']:8.1f} µs",
            f"  with the request span (SDK, batch)       {median['traced']:8.1f} µs",
            f"  the request span's cost (tracing on)     {span_cost:8.1f} µs",
            f"  one agent/guard/retrieval span, on       {median['sdk']:8.1f} µs",
            f"  one such span, off (no-op tracer)        {median['noop']:8.1f} µs",
        ]
    )
