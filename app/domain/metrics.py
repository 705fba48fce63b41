"""`/metrics` for Prometheus: the process's counts (app/lib/metrics.py) and the durable job
queues, read from the database at each scrape.

Off unless `INTERLUDE_METRICS_TOKEN` is set (the route does not exist then), and the scraper
sends it as `Authorization: Bearer <token>`. The figures are counts across all organisations,
with no organisation label: this is the one reading that crosses tenants, and it reads how
many, never what or whose.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from app.db.models import AgentRun, Document, OutboundEmail, WebhookDelivery
from app.db.models.enums import DocumentStatus, RunStatus
from app.domain.plans.services import PLAN
from app.lib.clock import utcnow
from app.lib.errors import Unauthenticated
from app.lib.metrics import get_metrics
from app.settings import Settings

# Each durable queue: how many jobs wait or run, and since when the oldest does. Each query
# is served by an index (agent_run: kind, status; webhook_delivery: status) or reads a table
# that stays small (documents) or grows slowly (e-mails: one per alert, invitation, digest).
# (min() of no rows is NULL: the type says datetime, the reading checks for None.)
_QUEUES: dict[str, Select[tuple[int, datetime]]] = {
    "plan": select(func.count(), func.min(AgentRun.created_at)).where(
        AgentRun.kind == PLAN,
        AgentRun.status.in_(
            [RunStatus.QUEUED.value, RunStatus.RETRYING.value, RunStatus.RUNNING.value]
        ),
    ),
    # A re-indexed document waits since it was marked pending, not since it was first added.
    "ingestion": select(func.count(), func.min(Document.updated_at)).where(
        Document.status.in_([DocumentStatus.PENDING, DocumentStatus.PROCESSING])
    ),
    "outbox": select(func.count(), func.min(OutboundEmail.created_at)).where(
        OutboundEmail.status == "pending"
    ),
    "webhook": select(func.count(), func.min(WebhookDelivery.created_at)).where(
        WebhookDelivery.status == "pending"
    ),
}


@dataclass(frozen=True, slots=True)
class Queue:
    depth: int
    oldest_age_s: float


async def read_queues(db: AsyncSession, now: datetime) -> dict[str, Queue]:
    queues = {}
    for kind, query in _QUEUES.items():
        depth, oldest = (await db.execute(query)).one()
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        queues[kind] = Queue(depth=int(depth), oldest_age_s=age)
    return queues


def _authorized(request: Request[Any, Any, Any], settings: Settings) -> bool:
    token = settings.metrics_token
    sent = request.headers.get("authorization", "")
    if token is None or not sent.startswith("Bearer "):
        return False
    return hmac.compare_digest(sent[len("Bearer ") :].encode(), token.get_secret_value().encode())


@get("/metrics", include_in_schema=False)
async def metrics(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    db_session: NamedDependency[AsyncSession],
) -> Response[bytes]:
    """The Prometheus text format; registered only when a metrics token is configured."""
    if not _authorized(request, settings):
        raise Unauthenticated("Send the metrics token as `Authorization: Bearer <token>`.")
    registry = get_metrics()
    for kind, queue in (await read_queues(db_session, utcnow())).items():
        registry.queue_depth.labels(kind).set(queue.depth)
        registry.queue_age.labels(kind).set(queue.oldest_age_s)
    return Response(
        generate_latest(registry.registry),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
