"""`interlude worker`: the job loops (plans, indexing, e-mails, webhooks) without HTTP.

Web processes started with `INTERLUDE_RUN_JOBS=false` leave their jobs to these; any number
of workers and web processes share one PostgreSQL database, the leases deciding who runs what
(app/lib/leases.py). SIGTERM or SIGINT stops a worker cleanly: its loops end, and the plan
runs and documents it held go back to the queue at once for another process.
"""

from __future__ import annotations

import asyncio
import signal

import anyio.to_thread
import structlog

from app.db.engine import database_config
from app.domain.agents.runtime import AgentRuntime
from app.domain.webhooks.events import WAKEUP_KEY, Wakeup
from app.lib.tracing import Tracing
from app.runtime import JobLoops, build_knowledge
from app.settings import Settings

log = structlog.get_logger("interlude.worker")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the job loops until `stop` is set or the process gets SIGTERM/SIGINT; the settings
    say which chat provider drafts."""
    stop = stop or asyncio.Event()
    wakeup = Wakeup()  # a job that queues a webhook delivery wakes this process's sender
    loop = asyncio.get_running_loop()
    for number in STOP_SIGNALS:
        loop.add_signal_handler(number, stop.set)
    database = database_config(settings.resolved_database_url, {WAKEUP_KEY: wakeup})
    tracing = Tracing.from_settings(settings)  # job passes' spans, when an exporter is set
    knowledge = build_knowledge(settings, tracer=tracing.tracer)
    try:
        # The same check as a web process's start: a store that cannot serve says what to do.
        await anyio.to_thread.run_sync(knowledge.prepare)
        runtime = AgentRuntime.from_settings(settings, knowledge, tracer=tracing.tracer)
        jobs = JobLoops(
            database.create_session_maker(), runtime, settings, wakeup, tracer=tracing.tracer
        )
        try:
            await jobs.start()
            log.info("worker_started", chat_provider=runtime.provider)
            await stop.wait()
        finally:
            log.info("worker_stopping")
            await jobs.stop()
    finally:
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)
        knowledge.close()
        await database.get_engine().dispose()
        await anyio.to_thread.run_sync(tracing.shutdown)  # flushes the spans still queued
    log.info("worker_stopped")
