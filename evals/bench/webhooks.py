"""Webhook delivery latency on a healthy loopback receiver: N events, each committed in its own
transaction (as a request would), timed from the commit to the receiver's first byte of it.
The worker runs as in the app: its loop woken by the commit, polling otherwise. Target (issue
#15): p95 at most 1 s."""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from uuid import uuid4

from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db import migrate
from app.db.engine import create_engine
from app.db.models import WebhookEndpoint
from app.db.models.enums import Language
from app.domain.organizations.services import create_organization
from app.domain.webhooks.delivery import DeliveryWorker
from app.domain.webhooks.events import ANSWER_RECEIVED, WAKEUP_KEY, Wakeup, enqueue, event_id
from app.settings import Settings
from evals.bench.queue import bench_database
from evals.bench.results import REPORTS, Report
from evals.llama_server import free_port


@contextmanager
def _receiver(arrived: dict[str, float]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            arrived.setdefault(str(self.headers.get("Interlude-Event-Id")), time.perf_counter())
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        server.shutdown()
        server.server_close()


async def _run(url: str, events: int) -> dict[str, float]:
    engine = create_engine(url)
    wakeup = Wakeup()
    sessions = async_sessionmaker(engine, expire_on_commit=False, info={WAKEUP_KEY: wakeup})
    settings = Settings(environment="test", database_url=url, webhook_allow_private=True)
    arrived: dict[str, float] = {}
    committed: dict[str, float] = {}
    worker = DeliveryWorker(sessions, settings)
    wakeup.subscribe(worker.wake)
    try:
        with _receiver(arrived) as hook_url:
            async with sessions() as db, db.begin():
                org = await create_organization(
                    db, slug="bench", name="Bench", default_language=Language.FR
                )
                db.add(
                    WebhookEndpoint(
                        organization_id=org.id,
                        url=hook_url,
                        secret=uuid4().hex,
                        events=[ANSWER_RECEIVED],
                    )
                )
            await worker.start()
            for _ in range(events):
                subject = uuid4()
                async with sessions() as db, db.begin():
                    await enqueue(
                        db,
                        organization_id=org.id,
                        event_type=ANSWER_RECEIVED,
                        subject_id=subject,
                        data={"answer_id": str(subject)},
                    )

                committed[str(event_id(ANSWER_RECEIVED, subject))] = time.perf_counter()
                await asyncio.sleep(0.02)  # events a little apart, as requests come
            for _ in range(1200):  # at most a minute for the last ones
                if len(arrived) >= events:
                    break
                await asyncio.sleep(0.05)
            await worker.stop()
    finally:
        await engine.dispose()
    latencies = sorted(arrived[k] - committed[k] for k in committed if k in arrived)
    if len(latencies) != events:
        raise RuntimeError(f"{len(latencies)} of {events} events arrived")
    return {
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(0.95 * (events - 1))] * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
    }


def run_webhooks_bench(
    backends: list[str], events: int, postgres_url: str, reports: Path = REPORTS
) -> list[str]:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    tables = []
    for backend in backends:
        with bench_database(backend, postgres_url) as url:
            migrate.upgrade(url)
            metrics = asyncio.run(_run(url, events))
        report = Report(name=f"webhooks-{backend}", parameters={"events": events}, metrics=metrics)
        tables.append(report.save_and_compare(reports))
    return tables
