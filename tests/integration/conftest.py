from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from app.asgi import create_app
from app.domain.agents.runtime import AgentRuntime
from app.settings import Settings
from tests.fakes import ScriptedChatModel
from tests.mail import Inbox, smtp_server
from tests.support import OrgWorld, build_worlds

# The gate property test's model checks responses with plain asserts: rewrite them as pytest
# does in test modules, so a failure shows its values (it must run before the first import).
pytest.register_assert_rewrite(
    "tests.integration.gate_model",
    "tests.integration.gate_circles",
    "tests.integration.gate_companions",
)


@pytest.fixture
def worlds(settings: Settings) -> list[OrgWorld]:
    """Two organisations, seeded before the app starts."""
    return build_worlds(settings, "alpha", "beta")


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback (aiosmtpd) and its port, for one test."""
    with smtp_server() as running:
        yield running


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
def client(app: Litestar, worlds: list[OrgWorld]) -> Iterator[TestClient[Any]]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def start_app(settings: Settings) -> Iterator[Callable[..., TestClient[Any]]]:
    """Start the app, optionally around a scripted chat model; stopped after the test."""
    clients: list[TestClient[Any]] = []

    def start(model: ScriptedChatModel | None = None, **overrides: Any) -> TestClient[Any]:
        configured = settings.model_copy(update={"plan_retry_seconds": 0, **overrides})
        agents = None if model is None else (lambda kb: AgentRuntime.with_model(kb, model))
        client = TestClient(create_app(configured, agents=agents), base_url="http://127.0.0.1")
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


REDIS_URL = os.environ.get("INTERLUDE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("INTERLUDE_REQUIRE_REDIS") == "1"


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The machine's Redis, database 15 emptied before and after (skipped with a notice where
    Redis is absent, a failure with INTERLUDE_REQUIRE_REDIS=1, as in CI)."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError as exc:
        message = f"Redis unreachable at {REDIS_URL} ({type(exc).__name__}): "
        if REQUIRE_REDIS:
            pytest.fail(message + "INTERLUDE_REQUIRE_REDIS=1 makes this a failure.")
        pytest.skip(message + "skipped (set INTERLUDE_REQUIRE_REDIS=1 to fail instead)")
    connection.flushdb()  # database 15: the tests' own
    yield REDIS_URL
    connection.flushdb()
    connection.close()
