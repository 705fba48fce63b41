"""The one place that hands Litestar what `create_app` built: every app-level dependency, by name.

`create_app` (app/asgi.py) builds the parts through the composition root (app/runtime.py) and
keeps them in the app's state; each provider here reads one back, typed, so a handler asks for
`knowledge: NamedDependency[KnowledgeStore]` and a test overrides it by its key. This module
sits next to the composition root rather than in app/lib/ because these parts' types live in
app/domain/ and knowledge/, and app/lib/ is the layer under the domain packages (it imports
none of them). It stays apart from app/runtime.py, which the worker process and the CLI use
without HTTP.

Two dependencies are not built parts and stay with the rule they apply: `identity`
(app/domain/auth/deps.py: who is asking, read from the request's key, token or cookie with its
CSRF check) and `page` (app/lib/pagination.py: the request's `limit` and `cursor`).
"""

from __future__ import annotations

from collections.abc import Callable

from litestar.datastructures import State
from litestar.di import Provide
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.agents.runtime import AgentRuntime
from app.domain.auth.deps import provide_identity
from app.domain.notifications.alerts import AlertMail
from app.lib.background import Waker
from app.lib.clock import Clock
from app.lib.pagination import provide_page_params
from app.lib.security import Passwords
from app.lib.throttle import AccountThrottle
from app.settings import Settings
from knowledge.store import KnowledgeStore


def provide_settings(state: State) -> Settings:
    settings: Settings = state.settings
    return settings


def provide_passwords(state: State) -> Passwords:
    passwords: Passwords = state.passwords
    return passwords


def provide_login_throttle(state: State) -> AccountThrottle:
    throttle: AccountThrottle = state.login_throttle
    return throttle


def provide_knowledge(state: State) -> KnowledgeStore:
    knowledge: KnowledgeStore = state.knowledge
    return knowledge


def provide_agents(state: State) -> AgentRuntime:
    runtime: AgentRuntime = state.agents
    return runtime


def provide_alert_mail(state: State) -> AlertMail | None:
    """None when no SMTP server is set: urgent alerts are then shown, not mailed."""
    alert_mail: AlertMail | None = state.alert_mail
    return alert_mail


def provide_sessions(state: State) -> Callable[[], AsyncSession]:
    """Sessions of the app's database outside the request's own (`db_session`), for work that
    commits on its own schedule: a chat turn commits the message before calling the model."""
    sessions: Callable[[], AsyncSession] = state.session_maker
    return sessions


def provide_clock(state: State) -> Clock:
    """`utcnow`, unless a test moved the app's time (what learner tokens expire against)."""
    clock: Clock = state.clock
    return clock


def provide_ingestion_worker(state: State) -> Waker:
    """This process's indexing worker, or a stand-in when `interlude worker` processes run it."""
    worker: Waker = state.ingestion_worker
    return worker


def provide_plan_worker(state: State) -> Waker:
    worker: Waker = state.plan_worker
    return worker


def app_dependencies() -> dict[str, Provide]:
    """Every app-level dependency by the name handlers ask for; a package's own service
    (`journal`, `plans`...) is provided by its controller, from these."""
    return {
        "settings": Provide(provide_settings, sync_to_thread=False),
        "passwords": Provide(provide_passwords, sync_to_thread=False),
        "login_throttle": Provide(provide_login_throttle, sync_to_thread=False),
        "identity": Provide(provide_identity),
        "page": Provide(provide_page_params, sync_to_thread=False),
        "knowledge": Provide(provide_knowledge, sync_to_thread=False),
        "agents": Provide(provide_agents, sync_to_thread=False),
        "alert_mail": Provide(provide_alert_mail, sync_to_thread=False),
        "sessions": Provide(provide_sessions, sync_to_thread=False),
        "clock": Provide(provide_clock, sync_to_thread=False),
        "ingestion_worker": Provide(provide_ingestion_worker, sync_to_thread=False),
        "plan_worker": Provide(provide_plan_worker, sync_to_thread=False),
    }
