"""Tracing's parts alone: when it is on (the standard OTEL_* variables), what the request span
holds (a route template, never the raw path or query), and which job passes are recorded."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any
from unittest.mock import Mock

import pytest
from litestar import Litestar, get
from litestar.middleware import DefineMiddleware
from litestar.testing import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from app.lib.background import PollingLoop
from app.lib.request_tracing import RequestTracingMiddleware
from app.lib.tracing import Tracing, traces_endpoint
from app.settings import Settings
from knowledge.retrieval import Retriever

TOKEN = "cmp_SECRET-LINK-TOKEN-93"
OTEL_VARIABLES = (
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_SERVICE_NAME",
)


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in OTEL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("variables", "endpoint"),
    [
        ({}, None),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318/"}, "http://otel:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://otel:9/x"}, "http://otel:9/x"),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, "http://localhost:4318/v1/traces"),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://otel:4318", "OTEL_TRACES_EXPORTER": "none"}, None),
    ],
)
def test_traces_are_on_only_when_an_exporter_is_configured(
    environ: pytest.MonkeyPatch, variables: dict[str, str], endpoint: str | None
) -> None:
    for name, value in variables.items():
        environ.setenv(name, value)
    settings = Settings()
    assert traces_endpoint(settings) == endpoint
    tracing = Tracing.from_settings(settings)
    try:
        assert tracing.enabled is (endpoint is not None)
    finally:
        tracing.shutdown()


def test_the_service_name_and_the_collector_headers_come_from_the_standard_variables(
    environ: pytest.MonkeyPatch,
) -> None:
    environ.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
    environ.setenv("OTEL_SERVICE_NAME", "interlude-eu")
    environ.setenv("OTEL_EXPORTER_OTLP_HEADERS", "x-api-key=s3cret%20key")
    settings = Settings()
    assert "s3cret" not in repr(settings)  # a collector's key is a secret
    tracing = Tracing.from_settings(settings)
    assert tracing.provider is not None
    try:
        assert tracing.provider.resource.attributes["service.name"] == "interlude-eu"
    finally:
        tracing.shutdown()


def _app(exporter: InMemorySpanExporter) -> Litestar:
    @get("/c/{token:str}")
    async def link() -> str:  # the token stays in the path, where a real link has it
        return "ok"

    @get("/boom")
    async def boom() -> None:
        raise RuntimeError(f"failed for {TOKEN}")

    @get("/health/live")
    async def live() -> str:
        return "ok"

    tracer = Tracing.exporting_to(exporter, batch=False).tracer
    return Litestar(
        [link, boom, live],
        middleware=[DefineMiddleware(RequestTracingMiddleware, tracer=tracer)],
        logging_config=None,
    )


def test_the_request_span_has_the_route_template_never_the_path_or_query() -> None:
    exporter = InMemorySpanExporter()
    parent_trace = "0af7651916cd43dd8448eb211c80319c"
    with TestClient(_app(exporter)) as client:
        response = client.get(
            f"/c/{TOKEN}",
            params={"q": "my words", "token": TOKEN},
            headers={"traceparent": f"00-{parent_trace}-b7ad6b7169203331-01"},
        )
        assert response.status_code == 200
        assert client.get("/boom").status_code == 500
        assert client.get("/health/live").status_code == 200
    spans = {s.name: s for s in exporter.get_finished_spans()}
    assert set(spans) == {"GET /c/{token}", "GET /boom"}  # probes are not traced
    link = spans["GET /c/{token}"]
    assert dict(link.attributes or {}) == {
        "http.request.method": "GET",
        "http.route": "/c/{token}",
        "http.response.status_code": 200,
    }
    assert link.context is not None
    assert f"{link.context.trace_id:032x}" == parent_trace  # the caller's trace goes on
    failed = spans["GET /boom"]
    assert failed.status.status_code is StatusCode.ERROR
    assert (failed.attributes or {})["http.response.status_code"] == 500
    assert not failed.events  # no exception event: its message held the token
    for span in spans.values():
        assert TOKEN not in str(span.to_json())
        assert "my words" not in str(span.to_json())


def test_a_job_pass_is_recorded_only_when_it_handled_something() -> None:
    exporter = InMemorySpanExporter()
    tracer = Tracing.exporting_to(exporter, batch=False).tracer
    results: list[int | Exception] = [0, 2, ValueError("row held text"), 0]

    async def run_once() -> int:
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    async def passes() -> None:
        loop = PollingLoop("plans", run_once, 60, tracer=tracer)
        for _ in range(4):
            with contextlib.suppress(ValueError):
                await loop._traced_pass()

    asyncio.run(passes())
    spans = exporter.get_finished_spans()
    assert [s.name for s in spans] == ["job.plans", "job.plans"]
    handled, broken = spans
    assert dict(handled.attributes or {}) == {
        "interlude.job.loop": "plans",
        "interlude.job.handled": 2,
    }
    assert (broken.attributes or {})["error.type"] == "ValueError"
    assert broken.status.status_code is StatusCode.ERROR
    assert "row held text" not in broken.to_json()


class _BrokenEmbedder:
    """Fails quoting what it was given, as a remote embeddings endpoint's error may."""

    dimension = 8

    def embed(self, texts: list[str]) -> Any:
        raise ValueError(f"could not embed {texts[0]!r}")


def test_a_failed_search_keeps_no_query_in_its_span() -> None:
    exporter = InMemorySpanExporter()
    tracer = Tracing.exporting_to(exporter, batch=False).tracer
    retriever = Retriever(Mock(), _BrokenEmbedder(), tracer=tracer, store="chroma")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="SECRET-QUERY"):
        retriever.search("my SECRET-QUERY words")
    (span,) = exporter.get_finished_spans()
    assert span.name == "retrieval"
    assert "SECRET-QUERY" not in span.to_json()
