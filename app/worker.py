"""`interlude worker`: the job loops (plans, indexing, e-mails, webhooks) without the API.

Web processes started with `INTERLUDE_RUN_JOBS=false` leave their jobs to these; any number
of workers and web processes share one PostgreSQL database, the leases deciding who runs what
(app/lib/leases.py). SIGTERM or SIGINT stops a worker cleanly: its loops end, and the plan
runs and documents it held go back to the queue at once for another process.

With `--metrics-port` (`INTERLUDE_WORKER_METRICS_PORT`) a worker also serves `/metrics` and
`/health/live` on that port, from the web app's own handlers: its counters (agent runs,
ingestion, escalations raised by its jobs) exist in its process only, so no web process's
scrape can report them.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator, Callable, Iterator

import anyio.to_thread
import structlog
import uvicorn
from litestar import Litestar
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import database_config
from app.domain.agents.runtime import AgentRuntime
from app.domain.health import health_live
from app.domain.metrics import metrics
from app.domain.webhooks.events import WAKEUP_KEY, Wakeup
from app.lib.errors import EXCEPTION_HANDLERS, AppError
from app.lib.tracing import Tracing
from app.runtime import JobLoops, build_knowledge
from app.settings import Settings

log = structlog.get_logger("interlude.worker")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def metrics_app(settings: Settings, sessions: Callable[[], AsyncSession]) -> Litestar:
    """The worker's HTTP: `/health/live`, and `/metrics` when a metrics token is set (the web
    app's handler, so the same format, token check and 401; without a token the route does
    not exist, as in the web app). The queue gauges are read with the worker's own sessions."""

    async def provide_db_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    def provide_settings() -> Settings:
        return settings

    return Litestar(
        route_handlers=[health_live, *([metrics] if settings.metrics_token is not None else [])],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "db_session": Provide(provide_db_session),
        },
        exception_handlers=EXCEPTION_HANDLERS,
        openapi_config=None,
        debug=False,
        logging_config=None,  # structlog's (configure_logging); see app/asgi.py
    )


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside the worker's event loop. The worker owns SIGTERM and SIGINT (they stop
    its jobs first); uvicorn's own capture would take them over and re-raise them at exit."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    """The metrics port, bound before anything slow starts, so a taken port fails at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise AppError(
            f"The worker cannot serve its metrics on {host}:{port} ({exc.strerror}): choose "
            "a free port with --metrics-port (INTERLUDE_WORKER_METRICS_PORT), or an address "
            "of this machine with --metrics-host."
        ) from None


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
) -> None:
    """Run the job loops until `stop` is set or the process gets SIGTERM/SIGINT; the settings
    say which chat provider drafts, and whether a metrics port is served."""
    port = settings.worker_metrics_port
    listening = listen(settings.worker_metrics_host, port) if port is not None else None
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
        sessions = database.create_session_maker()
        jobs = JobLoops(sessions, runtime, settings, wakeup, tracer=tracing.tracer)
        server = serving = None
        try:
            await jobs.start()
            if listening is not None:
                config = uvicorn.Config(
                    metrics_app(settings, sessions),
                    lifespan="off",
                    log_config=None,  # keep structlog's configuration
                    log_level="warning",
                    access_log=False,
                )
                server = _EmbeddedServer(config)
                serving = asyncio.create_task(server.serve(sockets=[listening]))
            log.info("worker_started", chat_provider=runtime.provider, metrics_port=port)
            await stop.wait()
        finally:
            log.info("worker_stopping")
            if server is not None and serving is not None:
                server.should_exit = True  # before the jobs stop: a scrape needs the database
                await serving
            await jobs.stop()
    finally:
        if listening is not None:
            listening.close()
        for number in STOP_SIGNALS:
            loop.remove_signal_handler(number)
        knowledge.close()
        await database.get_engine().dispose()
        await anyio.to_thread.run_sync(tracing.shutdown)  # flushes the spans still queued
    log.info("worker_stopped")
