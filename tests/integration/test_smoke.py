from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.support import OrgWorld, with_key, with_session


def test_health_answers_ok(client: TestClient[Any]) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_login_then_me(client: TestClient[Any], worlds: list[OrgWorld]) -> None:
    alpha, _ = worlds
    coach = with_session(client, alpha.coach)
    me = coach.get("/api/v1/me").json()
    assert me["user"]["id"] == str(alpha.coach.id)
    assert me["organization_slug"] == "alpha"
    assert with_key(client, alpha.learners[0]).get("/api/v1/me").json()["via"] == "api_key"
