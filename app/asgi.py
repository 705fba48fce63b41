"""The application factory. Nothing happens at import: `create_app(settings)` builds it all.

Served by `interlude serve`, or by any ASGI server with `app.asgi:create_app --factory`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

import anyio.to_thread
from advanced_alchemy.extensions.litestar import SQLAlchemyAsyncConfig, SQLAlchemyPlugin
from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from app import __doc__ as app_doc
from app.db.engine import database_config
from app.deps import app_dependencies
from app.domain.agents.runtime import AgentRuntime
from app.domain.api_keys.controllers import ApiKeyController
from app.domain.audit.controllers import AuditController
from app.domain.auth.controllers import AuthController
from app.domain.briefs.controllers import BriefController
from app.domain.calendar.controllers import CalendarController, CalendarFeedController
from app.domain.circles.controllers import (
    CircleController,
    CircleDraftController,
    CircleSessionController,
)
from app.domain.coaching.controllers import CoachingSessionController
from app.domain.companions.controllers import (
    CompanionController,
    CompanionFeedbackController,
    CompanionSuggestionController,
)
from app.domain.conversations.controllers import ConversationController
from app.domain.escalations.controllers import EscalationController
from app.domain.health import health, health_live, health_ready
from app.domain.insights.controllers import InsightsController
from app.domain.integrations.controllers import IntegrationController
from app.domain.integrations.cors import IntegrationCorsMiddleware
from app.domain.journal.controllers import JournalController
from app.domain.knowledge.controllers import KnowledgeController
from app.domain.metrics import metrics
from app.domain.notifications.alerts import AlertMail
from app.domain.openai_compat.controllers import openai_router
from app.domain.openai_compat.errors import with_openai_errors
from app.domain.organizations.controllers import OrganizationController
from app.domain.people.controllers import EnrollmentController, UserController
from app.domain.plans.controllers import PlanController
from app.domain.privacy.controllers import PrivacyController
from app.domain.programs.controllers import ProgramController
from app.domain.question_bank.controllers import QuestionBankController
from app.domain.suggestions.controllers import FeedController, SuggestionController
from app.domain.webhooks.controllers import WebhookController
from app.domain.webhooks.events import WAKEUP_KEY, Wakeup
from app.lib.background import NoLocalWorker
from app.lib.clock import utcnow
from app.lib.errors import EXCEPTION_HANDLERS
from app.lib.idempotency import IdempotencyMiddleware
from app.lib.json_limits import check_json_depth
from app.lib.logging import AccessLogMiddleware, configure_logging
from app.lib.openapi import document_operations, operation_id
from app.lib.request_tracing import RequestTracingMiddleware
from app.lib.security import Passwords
from app.lib.throttle import STORE, AccountThrottle, build_store, login_rate_limit
from app.lib.tracing import Tracing
from app.runtime import JobLoops, build_knowledge
from app.settings import Settings, get_settings
from app.web.api_docs import OfflineSwagger, docs_router
from app.web.routes import WEB_CONTROLLERS, static_files_router, template_config
from knowledge.store import KnowledgeStore

API_CONTROLLERS = [
    AuthController,
    OrganizationController,
    UserController,
    EnrollmentController,
    ProgramController,
    CoachingSessionController,
    SuggestionController,
    FeedController,
    ConversationController,
    QuestionBankController,
    ApiKeyController,
    AuditController,
    KnowledgeController,
    PlanController,
    EscalationController,
    BriefController,
    JournalController,
    PrivacyController,
    InsightsController,
    WebhookController,
    IntegrationController,
    CalendarController,
    CalendarFeedController,
    CompanionController,
    CompanionFeedbackController,
    CompanionSuggestionController,
    CircleController,
    CircleSessionController,
    CircleDraftController,
]
SCHEMA_PATH = "/schema"


def _openapi() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Interlude API",
        version="1",
        description=app_doc,
        path=SCHEMA_PATH,
        render_plugins=[OfflineSwagger(SCHEMA_PATH)],
        openapi_router=docs_router(SCHEMA_PATH),
        components=Components(
            security_schemes={
                "apiKey": SecurityScheme(
                    type="http", scheme="bearer", description="An API key from your admin."
                ),
                "session": SecurityScheme(
                    type="apiKey", name="interlude_session", security_scheme_in="cookie"
                ),
                "integrationSecret": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    description="An integration's secret, on POST /api/v1/integrations/token only.",
                ),
            }
        ),
        # Each operation that needs an identity says so (`document_operations`): login and
        # health need none.
        operation_id_creator=operation_id,
        use_handler_docstrings=True,
    )


def _lifecycle(
    database: SQLAlchemyAsyncConfig,
    runtime: AgentRuntime,
    settings: Settings,
    wakeup: Wakeup,
    tracing: Tracing,
) -> tuple[Callable[[Litestar], Awaitable[None]], Callable[[Litestar], Awaitable[None]]]:
    async def start(app: Litestar) -> None:
        # A knowledge store that cannot serve (PostgreSQL without pgvector or its tables) stops
        # the start with what to do, rather than failing every search later.
        await anyio.to_thread.run_sync(runtime.knowledge.prepare)
        app.state.guard_warm_up = runtime.guard.warm_up()
        app.state.jobs = None
        app.state.ingestion_worker = app.state.plan_worker = NoLocalWorker()
        if settings.run_jobs:  # otherwise `interlude worker` processes run them (app/worker.py)
            jobs = JobLoops(
                database.create_session_maker(), runtime, settings, wakeup, tracer=tracing.tracer
            )
            app.state.jobs = jobs
            app.state.ingestion_worker, app.state.plan_worker = jobs.ingestion, jobs.plans
            await jobs.start()

    async def stop(app: Litestar) -> None:
        if "guard_warm_up" not in app.state:  # the start was refused before anything began
            runtime.knowledge.close()
            tracing.shutdown()
            return
        if app.state.guard_warm_up is not None:  # at most the rest of one training
            await anyio.to_thread.run_sync(app.state.guard_warm_up.join)
        if app.state.jobs is not None:
            await app.state.jobs.stop()
        runtime.knowledge.close()
        # Litestar runs on_shutdown hooks after the plugins' lifespans, so the SQLAlchemy
        # plugin has disposed of the engine already, and the workers may have opened
        # connections since: close those too (each SQLite one holds a thread).
        await database.get_engine().dispose()
        # Last, so the spans of the jobs stopped above are sent too (a blocking flush).
        await anyio.to_thread.run_sync(tracing.shutdown)

    return start, stop


def create_app(
    settings: Settings | None = None,
    *,
    agents: Callable[[KnowledgeStore], AgentRuntime] | None = None,
    tracing: Tracing | None = None,
) -> Litestar:
    """`agents` builds the agents' runtime (tests hand in a scripted model); by default the
    settings say which chat provider to use. `tracing`: where spans go (tests hand in an
    in-memory exporter); by default the settings' OpenTelemetry exporter, or none. A runtime
    handed in brings its own tracer for its agent runs and guard (`AgentRuntime.with_model`)."""
    settings = settings or get_settings()
    configure_logging(settings)
    tracing = tracing or Tracing.from_settings(settings)
    wakeup = Wakeup()  # a commit that queued a webhook delivery wakes its worker
    database = database_config(settings.resolved_database_url, {WAKEUP_KEY: wakeup})
    passwords = Passwords.from_settings(settings)
    store = build_store(settings)
    login_throttle = AccountThrottle(
        store, settings.login_failures_per_account, settings.login_failure_window_s
    )
    knowledge = build_knowledge(settings, tracer=tracing.tracer)
    runtime = (agents or partial(AgentRuntime.from_settings, settings, tracer=tracing.tracer))(
        knowledge
    )
    start, stop = _lifecycle(database, runtime, settings, wakeup, tracing)
    app = Litestar(
        route_handlers=[
            health,
            health_live,
            health_ready,
            *([metrics] if settings.metrics_token is not None else []),
            *API_CONTROLLERS,
            openai_router(),
            *WEB_CONTROLLERS,
            static_files_router(),
        ],
        on_startup=[start],
        on_shutdown=[stop],
        plugins=[SQLAlchemyPlugin(config=database)],
        dependencies=app_dependencies(),
        state=State(
            {
                "settings": settings,
                "passwords": passwords,
                "login_throttle": login_throttle,
                "knowledge": knowledge,
                "agents": runtime,
                "alert_mail": AlertMail(public_url=settings.public_url)
                if settings.sends_mail
                else None,
                "session_maker": database.create_session_maker(),
                # What the learner tokens' expiry is read against; tests move it.
                "clock": utcnow,
            }
        ),
        exception_handlers=with_openai_errors(EXCEPTION_HANDLERS),
        before_request=check_json_depth,
        middleware=[
            DefineMiddleware(AccessLogMiddleware),
            *(
                [DefineMiddleware(RequestTracingMiddleware, tracer=tracing.tracer)]
                if tracing.enabled
                else []
            ),
            login_rate_limit(settings).middleware,
            DefineMiddleware(IdempotencyMiddleware),
            DefineMiddleware(IntegrationCorsMiddleware),
        ],
        stores={STORE: store},
        openapi_config=_openapi(),
        template_config=template_config(settings),
        request_max_body_size=settings.max_request_bytes,
        debug=False,
        # Logs go through structlog (configure_logging). Litestar's own config would start a
        # queue-listener thread per app, never stopped: tests building hundreds of apps piled
        # up hundreds of threads.
        logging_config=None,
    )
    document_operations(app)
    return app
