"""One server span per HTTP request, named by its route template.

Not Litestar's OpenTelemetryPlugin: it runs OpenTelemetry's ASGI instrumentation, which puts
the raw URL in every span (`url.full`, `url.path`, `url.query`, and the old `http.target`,
`http.url`), the client's address and user agent, and more per semantic-convention version.
Some of our paths carry a secret (a calendar feed's address, a companion's `/c/{token}` link)
and some queries a search. Here the span holds only what is set below: method, route template,
status, the request id and the organisation's id, so nothing new can slip in with an upgrade.

The organisation's id is recorded (an opaque UUID, no name): "is one customer slow?" is the
first question at scale, and the access log, read by the same operators, carries it already.
The user's id is not: the request id leads to the log line that has it, and a tracing backend
often keeps data longer, for more people, than the logs. /metrics has no organisation label for
another reason: a scrape would tell which customers are active to whoever holds its token.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from opentelemetry.trace import SpanKind, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

# Probes and scrapes, every few seconds from every monitor: spans for them would bury the
# requests people make (their counts and latency are in /metrics).
UNTRACED_ROUTES = frozenset({"/health", "/health/live", "/health/ready", "/metrics"})
# W3C trace context only (no baggage: a caller's baggage is not ours to carry on).
_PROPAGATED = frozenset({"traceparent", "tracestate"})


def _incoming(scope: Scope) -> dict[str, str]:
    """The caller's trace context headers, so a span of an LMS or a gateway is the parent."""
    return {
        name.decode("latin-1"): value.decode("latin-1")
        for name, value in scope.get("headers", [])
        if name.decode("latin-1") in _PROPAGATED
    }


class RequestTracingMiddleware:
    """Pure ASGI, installed inside AccessLogMiddleware (which sets the request id) only when
    tracing is on."""

    def __init__(self, app: ASGIApp, tracer: Tracer) -> None:
        self.app = app
        self.tracer = tracer
        self.propagator = TraceContextTextMapPropagator()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = str(scope.get("path_template") or "")
        if scope["type"] != ScopeType.HTTP or route in UNTRACED_ROUTES:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        state = scope.setdefault("state", {})
        status = 500

        async def send_and_watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with self.tracer.start_as_current_span(
            f"{method} {route}",
            context=self.propagator.extract(_incoming(scope)),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method, "http.route": route},
            # An exception's message may quote what was sent: its type is enough here (the
            # access log and the error handler keep the rest).
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                await self.app(scope, receive, send_and_watch)
            finally:
                span.set_attribute("http.response.status_code", status)
                if request_id := state.get("request_id"):
                    span.set_attribute("interlude.request_id", request_id)
                if organization_id := state.get("organization_id"):
                    span.set_attribute("interlude.organization_id", organization_id)
                if status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
