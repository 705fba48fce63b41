"""What the process counts for Prometheus: requests, agent runs, escalations, ingestion.

Counts only, never content: the labels are route templates (never raw paths, which carry ids
and tokens), methods, statuses, agent and failure kinds, tiers and outcomes. No organisation
label: a scrape would then tell who is active, and how much, to whoever reads the metrics.

The registry is one per process, built on first use (never at import), because a count is a
fact of the process, whatever the number of apps built in it (tests build hundreds); a
Prometheus target is one process, and several processes are summed by the query.
"""

from __future__ import annotations

from functools import lru_cache

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Seconds. The API's own answers take milliseconds; a chat turn on a model, seconds; a
# streamed answer lasts as long as its stream.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter(
            "interlude_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.latency = Histogram(
            "interlude_http_request_duration_seconds",
            "From the request's arrival to its last byte sent, by route template.",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.agent_runs = Counter(
            "interlude_agent_runs",
            "Agent runs (plan, chat, brief, event...) by outcome: done or failed.",
            ["agent", "outcome"],
            registry=r,
        )
        self.agent_failures = Counter(
            "interlude_agent_failures",
            "Failed agent runs by failure kind: timeout, rate_limited, server, unavailable, "
            "rejected (the model's), error (not the model's).",
            ["agent", "kind"],
            registry=r,
        )
        self.escalations = Counter(
            "interlude_escalations",
            "Escalations raised, by tier (urgent, support).",
            ["tier"],
            registry=r,
        )
        self.ingested = Counter(
            "interlude_ingestion_documents",
            "Documents handled by the indexer, by outcome (added, updated, unchanged, failed...).",
            ["outcome"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "interlude_job_queue_depth",
            "Durable jobs waiting or running, by kind; read from the database at scrape time, "
            "so every process reports the same figure (take max, not sum).",
            ["kind"],
            registry=r,
        )
        self.queue_age = Gauge(
            "interlude_job_queue_oldest_age_seconds",
            "Age of the oldest job waiting or running, by kind (0 when none).",
            ["kind"],
            registry=r,
        )


@lru_cache(maxsize=1)
def get_metrics() -> Metrics:
    """The process's metrics, built on first use."""
    return Metrics()
