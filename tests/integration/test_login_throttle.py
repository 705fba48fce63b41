"""Login throttling: per client address, failed logins per account, and a Redis store shared
by several server processes (here: two apps; tests/integration/test_workers.py has two real
server processes). Retry-After says when to come back. The `redis_url` fixture is in conftest.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.testing import TestClient

from tests.support import PASSWORD, OrgWorld

LOGIN = "/api/v1/auth/login"


def _login(client: TestClient[Any], world: OrgWorld, who: int, password: str) -> Any:
    person = world.learners[who]
    return client.post(
        LOGIN, json={"organization": world.slug, "email": person.email, "password": password}
    )


def test_one_address_gets_429_with_retry_after_past_its_rate(
    start_app: Callable[..., TestClient[Any]], worlds: list[OrgWorld]
) -> None:
    client = start_app(login_attempts_per_minute=5)
    alpha = worlds[0]
    for attempt in range(5):  # wrong passwords, spread over two accounts
        assert _login(client, alpha, attempt % 2, "wrong-password").status_code == 401
    refused = _login(client, alpha, 0, PASSWORD)

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "wait" in refused.json()["error"]["message"]


def test_an_account_with_too_many_failures_is_paused_even_with_the_right_password(
    start_app: Callable[..., TestClient[Any]], worlds: list[OrgWorld]
) -> None:
    client = start_app(login_failures_per_account=3, login_failure_window_s=600)
    alpha = worlds[0]
    for _ in range(3):
        assert _login(client, alpha, 0, "wrong-password").status_code == 401

    refused = _login(client, alpha, 0, PASSWORD)

    assert refused.status_code == 429
    assert 500 < int(refused.headers["Retry-After"]) <= 600
    assert "this account" in refused.json()["error"]["message"]
    assert _login(client, alpha, 1, PASSWORD).status_code == 201  # other accounts log in


def test_a_success_clears_the_account_s_failures(
    start_app: Callable[..., TestClient[Any]], worlds: list[OrgWorld]
) -> None:
    client = start_app(login_failures_per_account=3)
    alpha = worlds[0]
    for _ in range(2):
        assert _login(client, alpha, 0, "wrong-password").status_code == 401
    assert _login(client, alpha, 0, PASSWORD).status_code == 201
    for _ in range(2):
        assert _login(client, alpha, 0, "wrong-password").status_code == 401
    assert _login(client, alpha, 0, PASSWORD).status_code == 201


def test_two_server_processes_share_the_counts_through_redis(
    start_app: Callable[..., TestClient[Any]], worlds: list[OrgWorld], redis_url: str
) -> None:
    first = start_app(redis_url=redis_url, login_failures_per_account=2)
    second = start_app(redis_url=redis_url, login_failures_per_account=2)
    alpha = worlds[0]
    assert _login(first, alpha, 0, "wrong-password").status_code == 401
    assert _login(second, alpha, 0, "wrong-password").status_code == 401

    assert _login(first, alpha, 0, PASSWORD).status_code == 429
    assert _login(second, alpha, 0, PASSWORD).status_code == 429
