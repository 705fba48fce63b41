"""OpenTelemetry traces: off unless an exporter is configured, OTLP over HTTP when it is.

Off, every tracer handed out is OpenTelemetry's no-op one: no SDK imported, no span kept, and
the request middleware not even installed. On, the app builds its own `TracerProvider` (never
the process-wide global one, so tests can build many apps, each with its own exporter) and
hands its tracer to what records spans: the request middleware, the agents' runtime (agent
runs, the safety guard), the knowledge store (retrieval) and the job loops.

What a span may carry is decided where it is made, by an allow-list of attributes: route
templates, kinds, counts, tiers, outcomes, model names, ids. Never message or passage text,
e-mail addresses, names, tokens, raw paths or query strings. See README, "Run at scale".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from opentelemetry import trace
from opentelemetry.trace import Tracer

from app.settings import Settings

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

# Where OTLP over HTTP listens by default (a collector on the same host), and the path of its
# traces, appended to OTEL_EXPORTER_OTLP_ENDPOINT as the OpenTelemetry specification says.
DEFAULT_OTLP_ENDPOINT = "http://localhost:4318"
TRACES_PATH = "/v1/traces"
INSTRUMENTATION_NAME = "interlude"
NO_TRACER: Tracer = trace.NoOpTracer()


def traces_endpoint(settings: Settings) -> str | None:
    """Where spans go, or None when tracing is off. OTEL_TRACES_EXPORTER=none wins over any
    endpoint (the standard way to turn an SDK's traces off without unsetting the rest)."""
    if settings.otel_traces_exporter == "none":
        return None
    if settings.otel_exporter_otlp_traces_endpoint:
        return settings.otel_exporter_otlp_traces_endpoint
    if settings.otel_exporter_otlp_endpoint:
        return settings.otel_exporter_otlp_endpoint.rstrip("/") + TRACES_PATH
    if settings.otel_traces_exporter == "otlp":
        return DEFAULT_OTLP_ENDPOINT + TRACES_PATH
    return None


def _headers(settings: Settings) -> Mapping[str, str] | None:
    if settings.otel_exporter_otlp_headers is None:
        return None
    from opentelemetry.util.re import parse_env_headers

    return parse_env_headers(settings.otel_exporter_otlp_headers.get_secret_value(), liberal=True)


@dataclass(frozen=True, slots=True)
class Tracing:
    """The app's tracer and, when tracing is on, the provider that exports its spans."""

    tracer: Tracer
    provider: TracerProvider | None = None

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    @classmethod
    def off(cls) -> Tracing:
        return cls(NO_TRACER)

    @classmethod
    def from_settings(cls, settings: Settings) -> Tracing:
        endpoint = traces_endpoint(settings)
        if endpoint is None:
            return cls.off()
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=endpoint, headers=_headers(settings))
        return cls.exporting_to(exporter, settings.otel_service_name)

    @classmethod
    def exporting_to(
        cls, exporter: SpanExporter, service_name: str = INSTRUMENTATION_NAME, *, batch: bool = True
    ) -> Tracing:
        """Spans sent to `exporter`: in batches from a background thread (so a slow collector
        never delays a request), or one by one as they end (`batch=False`: tests)."""
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

        # Resource.create also reads OTEL_RESOURCE_ATTRIBUTES (deployment.environment...), as
        # every SDK does; the service name set here wins over it.
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        return cls(provider.get_tracer(INSTRUMENTATION_NAME), provider)

    def shutdown(self) -> None:
        """Send the spans still queued, then stop the export thread (at the app's stop)."""
        if self.provider is not None:
            self.provider.shutdown()
