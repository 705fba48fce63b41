"""Run at scale: liveness and readiness, /metrics (off by default, token-protected, counts only),
and the request id in every log line of a request."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient
from pydantic import SecretStr

from app.asgi import create_app
from app.db.migrate import current_head
from app.db.provision import execute_autocommit
from app.settings import Settings
from tests.integration.test_knowledge_api import upload, values_md, wait_indexed
from tests.support import OrgWorld, with_key, with_session

TOKEN = "scrape-me-0123456789abcdefghij"
URGENT = "Je prépare ma réunion de jeudi, mais honnêtement je pense à mettre fin à mes jours."


def test_live_ready_and_the_old_probe(app: Litestar, client: TestClient[Any]) -> None:
    assert client.get("/health/live").json() == {"status": "ok"}
    assert client.get("/health").status_code == 200
    # The guard's warm-up, held by the test: a first training takes a minute of CPU.
    warming, release = app.state.guard_warm_up, threading.Event()
    app.state.guard_warm_up = threading.Thread(target=release.wait)
    app.state.guard_warm_up.start()
    try:
        response = client.get("/health/ready")
        assert response.status_code == 503
        assert response.json() == {
            "status": "not_ready",
            "checks": {
                "database": "ok",
                "migrations": "ok",
                "knowledge": "ok",
                "guard": "warming up",
            },
            "reasons": ["guard: warming up"],
        }
        release.set()
        app.state.guard_warm_up.join()
        response = client.get("/health/ready")
    finally:
        release.set()
        app.state.guard_warm_up = warming  # the real one, joined when the app stops
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "knowledge": "ok", "guard": "ok"},
        "reasons": [],
    }


def test_not_ready_until_the_schema_is_at_head(client: TestClient[Any], settings: Settings) -> None:
    def set_version(*statements: str) -> None:
        asyncio.run(execute_autocommit(settings.resolved_database_url, *statements))

    head = current_head()
    set_version("UPDATE alembic_version SET version_num = 'older'")
    try:
        response = client.get("/health/ready")
        assert response.status_code == 503
        body = response.json()
        assert body["status"] == "not_ready"
        assert body["checks"]["database"] == "ok"
        assert body["checks"]["migrations"] == f"at older, code expects {head}"
        assert client.get("/health/live").status_code == 200  # alive all the same
        # The PostgreSQL database is shared by the run's tests: the table is put back after.
        set_version("ALTER TABLE alembic_version RENAME TO alembic_version_away")
        try:
            checks = client.get("/health/ready").json()["checks"]
        finally:
            set_version("ALTER TABLE alembic_version_away RENAME TO alembic_version")
        assert checks["migrations"] == "not migrated: run `interlude db upgrade`"
    finally:
        set_version(f"UPDATE alembic_version SET version_num = '{head}'")  # noqa: S608


def test_metrics_are_off_unless_a_token_is_configured(client: TestClient[Any]) -> None:
    assert client.get("/metrics").status_code == 404
    assert "/metrics" not in client.get("/schema/openapi.json").json()["paths"]


def test_metrics_need_the_token(settings: Settings, worlds: list[OrgWorld]) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer " + TOKEN[:-1] + "x"})
        assert wrong.status_code == 401
        assert TOKEN not in wrong.text


def _scrape(client: TestClient[Any]) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def _value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when absent); labels given must all match."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line[: line.rindex("}")]))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_routes_agents_escalations_and_queues(
    settings: Settings, worlds: list[OrgWorld]
) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr(TOKEN)}))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        # The registry is the process's: other tests counted too, so compare before and after.
        before = _scrape(client)
        alpha = worlds[0]
        learner = with_key(client, alpha.learners[0])
        conversation = learner.post("/api/v1/conversations", json={}).json()["id"]
        path = f"/api/v1/conversations/{conversation}/messages"
        assert learner.post(path, json={"content": URGENT}).status_code == 201
        assert learner.get(f"/api/v1/conversations/{conversation}").status_code == 200
        assert learner.get("/api/v1/conversations/not-an-id").status_code in (400, 404)
        assert client.request("BREW", "/health/live").status_code == 405
        admin = with_session(client, alpha.admin)
        uploaded = upload(admin, "valeurs-ops.md", values_md("CANARY-OPS"))
        assert uploaded.status_code == 202, uploaded.text
        wait_indexed(admin, uploaded.json()["id"])
        added = "interlude_ingestion_documents_total"
        deadline = time.monotonic() + 10  # counted just after the row says indexed
        while True:
            after = _scrape(client)
            done = _value(after, added, outcome="added") > _value(before, added, outcome="added")
            if done or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert done, after

    route = "/api/v1/conversations/{conversation_id}/messages"
    counted = "interlude_http_requests_total"
    assert _value(after, counted, route=route, status="201") == (
        _value(before, counted, route=route, status="201") + 1
    )
    histogram = "interlude_http_request_duration_seconds_count"
    assert _value(after, histogram, route=route, method="POST") > _value(
        before, histogram, route=route, method="POST"
    )
    runs = "interlude_agent_runs_total"
    assert _value(after, runs, agent="chat", outcome="done") >= (
        _value(before, runs, agent="chat", outcome="done") + 1
    )
    urgent = "interlude_escalations_total"
    assert _value(after, urgent, tier="urgent") == _value(before, urgent, tier="urgent") + 1
    # What the router refuses (no such route, no such method) reaches no middleware: neither
    # logged nor counted, so a client inventing paths or methods creates no series.
    assert "BREW" not in after
    assert 'status="405"' not in after
    for kind in ("plan", "ingestion", "outbox", "webhook"):
        assert f'interlude_job_queue_depth{{kind="{kind}"}}' in after
        assert f'interlude_job_queue_oldest_age_seconds{{kind="{kind}"}}' in after
    # Templates only: no raw path, id, organisation or text reaches a label.
    for forbidden in (
        conversation,
        str(alpha.id),
        alpha.slug,
        "not-an-id",
        "mettre fin",
        "CANARY-OPS",
        "valeurs-ops",
        uploaded.json()["id"],
    ):
        assert forbidden not in after
    # No organisation label (a route template may hold the word: /api/v1/organization).
    assert "organization=" not in after
    assert "organization_id" not in after


@pytest.fixture
def json_logs(settings: Settings) -> Settings:
    return settings.model_copy(update={"log_format": "json", "log_level": "INFO"})


def _records(err: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_every_log_line_of_a_request_carries_its_id(
    json_logs: Settings, worlds: list[OrgWorld], capfd: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(json_logs), base_url="http://127.0.0.1") as client:
        learner = with_key(client, worlds[0].learners[0])
        conversation = learner.post("/api/v1/conversations", json={}).json()["id"]
        capfd.readouterr()
        turn = learner.post(
            f"/api/v1/conversations/{conversation}/messages",
            json={"content": URGENT},
            headers={"X-Request-ID": "trace-urgent-1"},
        )
        assert turn.headers["x-request-id"] == "trace-urgent-1"
        err = capfd.readouterr().err
        bad = learner.get("/health/live", headers={"X-Request-ID": "no spaces, no; " + "x" * 80})
        made = bad.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)  # an unsafe id is replaced, not echoed
    ours = [r for r in _records(err) if r.get("request_id") == "trace-urgent-1"]
    events = {r["event"] for r in ours}
    assert {"escalation_raised", "request"} <= events, err  # the guard's line and the access log
    assert all(r["request_id"] == "trace-urgent-1" for r in _records(err)), err
    assert "mettre fin" not in err
    assert "prépare" not in err
