"""Structured access logs: ids and timings, never secrets or conversation text."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import PASSWORD, OrgWorld, with_key, with_session


@pytest.fixture
def settings(settings: Any) -> Any:
    return settings.model_copy(update={"log_format": "json", "log_level": "INFO"})


def test_access_log_has_ids_and_no_secrets(
    client: TestClient[Any], worlds: list[OrgWorld], capfd: pytest.CaptureFixture[str]
) -> None:
    alpha, _ = worlds
    learner = alpha.learners[0]
    session = with_session(client, learner)
    keyed = with_key(client, learner)
    conversation = keyed.post("/api/v1/conversations", json={}).json()["id"]
    secret_text = "my manager humiliated me in the meeting"
    session.post(
        f"/api/v1/conversations/{conversation}/messages",
        json={"content": secret_text},
        headers={"X-Request-ID": "trace-123"},
    )
    err = capfd.readouterr().err
    records = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [r for r in records if r.get("event") == "request"]
    assert access, err
    traced = next(r for r in access if r["request_id"] == "trace-123")
    assert traced["route"] == "/api/v1/conversations/{conversation_id}/messages"
    assert traced["status"] == 201
    assert traced["user_id"] == str(learner.id)
    assert traced["organization_id"] == str(alpha.id)
    assert isinstance(traced["latency_ms"], float)
    for forbidden in (secret_text, PASSWORD, learner.api_key, session.headers["Cookie"][17:]):
        assert forbidden not in err
