"""Traces (#16): off unless an exporter is configured; on, one span per request named by its
route template, the agent run, its retrieval and the safety guard nested under it, job passes
as their own traces, and no text, e-mail address, token or raw path in any span."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from litestar.testing import TestClient
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NoOpTracer

from app.asgi import create_app
from app.lib.request_tracing import RequestTracingMiddleware
from app.lib.tracing import Tracing
from app.settings import Settings
from tests.integration.test_knowledge_api import upload, values_md, wait_indexed
from tests.support import PASSWORD, OrgWorld, with_key, with_session

MESSAGE_CANARY = "ZEBRA-CANARY-7731"
MESSAGE = f"Comment dire mon désaccord à mon équipe en réunion ? {MESSAGE_CANARY}"
PASSAGE_CANARY = "OKAPI-CANARY-5512"
SEARCH_CANARY = "IBIS-CANARY-0042"
TURN_ROUTE = "/api/v1/conversations/{conversation_id}/messages"
NO_OTEL = {
    "otel_exporter_otlp_endpoint": None,
    "otel_exporter_otlp_traces_endpoint": None,
    "otel_traces_exporter": None,
}


def _recorded(span: ReadableSpan) -> str:
    """Everything a span carries to a tracing backend, as one text to search."""
    parts = [span.name, *map(str, (span.attributes or {}).values())]
    parts += [event.name for event in span.events]
    parts += [str(v) for event in span.events for v in (event.attributes or {}).values()]
    parts += [str(span.status.description or "")]
    return "\n".join(parts)


def _one(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    found = [s for s in spans if s.name == name]
    assert len(found) == 1, [s.name for s in spans]
    return found[0]


def _children(spans: list[ReadableSpan], parent: ReadableSpan) -> list[ReadableSpan]:
    parent_id = parent.context.span_id if parent.context else None
    return [s for s in spans if s.parent is not None and s.parent.span_id == parent_id]


def test_a_chat_turn_is_one_trace_with_no_text_in_it(
    settings: Settings, worlds: list[OrgWorld]
) -> None:
    exporter = InMemorySpanExporter()
    app = create_app(settings, tracing=Tracing.exporting_to(exporter, batch=False))
    alpha = worlds[0]
    with TestClient(app, base_url="http://127.0.0.1") as client:
        admin = with_session(client, alpha.admin)
        uploaded = upload(admin, "valeurs-trace.md", values_md(PASSAGE_CANARY))
        assert uploaded.status_code == 202, uploaded.text
        assert wait_indexed(admin, uploaded.json()["id"])["status"] == "indexed"
        learner = with_session(client, alpha.learners[0])  # the e-mail crosses a traced request
        conversation = learner.post("/api/v1/conversations", json={}).json()["id"]
        turn = learner.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"content": MESSAGE},
            headers={"X-Request-ID": "trace-turn-1"},
        )
        assert turn.status_code == 201, turn.text
        coach = with_key(client, alpha.coach)
        searched = coach.get("/api/v1/knowledge/search", params={"q": f"désaccord {SEARCH_CANARY}"})
        assert searched.status_code == 200
        assert client.get("/health/ready").status_code in (200, 503)  # probes: not traced
    spans = list(exporter.get_finished_spans())

    request = _one(spans, f"POST {TURN_ROUTE}")
    assert request.attributes is not None
    assert request.attributes["http.route"] == TURN_ROUTE
    assert request.attributes["http.response.status_code"] == 201
    assert request.attributes["interlude.request_id"] == "trace-turn-1"
    assert request.attributes["interlude.organization_id"] == str(alpha.id)
    assert request.parent is None
    # The tree: request -> agent.chat -> (safety.check, retrieval...), all in one trace.
    (agent,) = _children(spans, request)
    assert agent.name == "agent.chat"
    assert dict(agent.attributes or {}) == {
        "interlude.agent.name": "chat",
        "interlude.agent.model": "composer",
        "interlude.agent.outcome": "done",
    }
    below = _children(spans, agent)
    names = [s.name for s in below]
    assert names[0] == "safety.check", names  # the guard reads the message before retrieval
    assert dict(below[0].attributes or {}) == {"interlude.safety.tier": "none"}
    searches = [s for s in below if s.name == "retrieval"]
    assert searches, names
    found = searches[0].attributes or {}
    assert (found["interlude.retrieval.store"], found["interlude.retrieval.mode"]) == (
        "chroma",
        "hybrid",
    )
    assert found["interlude.retrieval.hits"] >= 1  # the passage uploaded above
    assert request.context is not None
    assert {s.context.trace_id for s in [agent, *below] if s.context} == {request.context.trace_id}
    started, ended = searches[0].start_time, searches[0].end_time
    assert started is not None
    assert ended is not None
    assert ended > started  # its latency is its duration

    # The indexing pass is a trace of its own; idle passes are not recorded.
    jobs = [s for s in spans if s.name == "job.ingestion"]
    assert jobs, [s.name for s in spans]
    assert all((s.attributes or {})["interlude.job.handled"] >= 1 for s in jobs)
    assert "GET /health/ready" not in {s.name for s in spans}

    learner_person = alpha.learners[0]
    forbidden = [
        MESSAGE_CANARY,
        "désaccord",
        PASSAGE_CANARY,
        SEARCH_CANARY,
        learner_person.email,
        alpha.admin.email,
        alpha.slug,  # the organisation's name in URLs and logins
        alpha.coach.api_key,
        PASSWORD,
        learner.headers["Cookie"].split("=", 1)[1],
        learner.headers["X-CSRF-Token"],
        conversation,  # a raw path's id: spans hold route templates
        "valeurs-trace",
    ]
    for span in spans:
        recorded = _recorded(span)
        for secret in forbidden:
            assert secret not in recorded, (span.name, secret)


class _Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver on loopback: keeps each export request's body."""

    bodies: list[bytes]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/v1/traces":
            self.server.bodies.append(body)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def collector() -> Iterator[tuple[str, list[bytes]]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    bodies: list[bytes] = []
    server.bodies = bodies  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    finally:
        server.shutdown()
        server.server_close()


def _chat(client: TestClient[Any], world: OrgWorld) -> None:
    learner = with_key(client, world.learners[0])
    conversation = learner.post("/api/v1/conversations", json={}).json()["id"]
    turn = learner.post(f"/api/v1/conversations/{conversation}/messages", json={"content": MESSAGE})
    assert turn.status_code == 201, turn.text


def test_the_otlp_endpoint_receives_the_spans_under_the_service_name(
    settings: Settings, worlds: list[OrgWorld], collector: tuple[str, list[bytes]]
) -> None:
    endpoint, bodies = collector
    configured = settings.model_copy(
        update={**NO_OTEL, "otel_exporter_otlp_endpoint": endpoint + "/"}
    )
    with TestClient(create_app(configured), base_url="http://127.0.0.1") as client:
        _chat(client, worlds[0])
    # The app's stop flushed the batch: the spans are at the collector now.
    assert bodies
    names, services = set(), set()
    for body in bodies:
        assert MESSAGE_CANARY.encode() not in body
        assert worlds[0].learners[0].email.encode() not in body
        export = ExportTraceServiceRequest.FromString(body)
        for resource_spans in export.resource_spans:
            services |= {
                a.value.string_value
                for a in resource_spans.resource.attributes
                if a.key == "service.name"
            }
            for scope_spans in resource_spans.scope_spans:
                names |= {span.name for span in scope_spans.spans}
    assert services == {"interlude"}
    assert {f"POST {TURN_ROUTE}", "agent.chat", "safety.check", "retrieval"} <= names


def test_with_no_exporter_configured_nothing_is_traced_and_the_app_works(
    settings: Settings, worlds: list[OrgWorld], collector: tuple[str, list[bytes]]
) -> None:
    plain = settings.model_copy(update=NO_OTEL)
    tracing = Tracing.from_settings(plain)
    assert not tracing.enabled
    assert isinstance(tracing.tracer, NoOpTracer)
    app = create_app(plain)
    assert not any(m.middleware is RequestTracingMiddleware for m in app.middleware)  # type: ignore[union-attr]
    assert isinstance(app.state.agents.tracer, NoOpTracer)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        _chat(client, worlds[0])
    # Turned off explicitly, an endpoint is ignored.
    endpoint, bodies = collector
    off = settings.model_copy(
        update={**NO_OTEL, "otel_exporter_otlp_endpoint": endpoint, "otel_traces_exporter": "none"}
    )
    with TestClient(create_app(off), base_url="http://127.0.0.1") as client:
        _chat(client, worlds[0])
    assert bodies == []
