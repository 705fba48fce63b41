"""The approval gate, measured at the HTTP API on the agents' real output.

A scratch app (SQLite, the demo organisation) logs plan scenarios as sessions through the API;
the plan jobs draft them; then, before and after the coach approves one item per plan, every
learner-facing read (the feed, one item) is checked: a learner may see exactly the approved
items. A violation is any other item a learner can read.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from litestar.testing import TestClient

from app.asgi import create_app
from app.db import migrate
from app.db.engine import run_in_transaction
from app.demo import seed_demo
from app.lib.security import Passwords
from app.runtime import build_knowledge
from app.settings import Settings
from evals.context import EvalContext
from evals.metrics import rate

# How long one plan job may take before the case is recorded as unfinished. The composer's
# take milliseconds; a model's are bounded by attempts x (draft + repair) x its timeout (3 x 2
# x 120 s for `make eval-local`), and a job that outlives this still ends the case, not the run.
WAIT_S = 900.0


def _settings(folder: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=folder,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        log_level="ERROR",
        job_poll_seconds=0.2,
        plan_retry_seconds=0,  # a failed attempt is retried at once: nothing to wait for here
    )


def _login(client: TestClient[Any], email: str) -> dict[str, str]:
    password = Settings.model_fields["demo_password"].default.get_secret_value()
    response = client.post(
        "/api/v1/auth/login", json={"organization": "demo", "email": email, "password": password}
    )
    response.raise_for_status()
    token = response.cookies["interlude_session"]
    client.cookies.clear()
    return {"Cookie": f"interlude_session={token}", "X-CSRF-Token": response.json()["csrf_token"]}


def run_gate(ctx: EvalContext, cases: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    scenarios = [c for c in cases if c["pack"] == "horizon-fr"]
    with TemporaryDirectory(prefix="interlude-gate-") as folder:
        settings = _settings(Path(folder))
        migrate.upgrade(settings.resolved_database_url)
        _seed(settings)
        agents = None if ctx.llm is None else _runtime(ctx)
        httpx_log = logging.getLogger("httpx")
        level = httpx_log.level
        httpx_log.setLevel(logging.WARNING)  # not one line per poll of a plan job
        try:
            with TestClient(
                create_app(settings, agents=agents), base_url="http://127.0.0.1"
            ) as client:
                return _measure(client, scenarios)
        finally:
            httpx_log.setLevel(level)


def _runtime(ctx: EvalContext) -> Any:
    from app.domain.agents.runtime import AgentRuntime

    return lambda knowledge: AgentRuntime.with_model(knowledge, ctx.llm, guard_uses_model=True)


def _seed(settings: Settings) -> None:
    knowledge = build_knowledge(settings)
    knowledge.try_own()
    try:
        run_in_transaction(
            settings.resolved_database_url,
            lambda db: seed_demo(db, Passwords.from_settings(settings), knowledge, settings),
        )
    finally:
        knowledge.release()


def _wait(client: TestClient[Any], coach: dict[str, str], session_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        run: dict[str, Any] = client.get(
            f"/api/v1/sessions/{session_id}/plan", headers=coach
        ).json()
        if run["status"] in {"done", "failed"}:
            return run
        time.sleep(0.2)
    raise TimeoutError(f"plan job for session {session_id} did not finish in {WAIT_S} s")


def _measure(
    client: TestClient[Any], scenarios: list[dict[str, Any]]
) -> tuple[dict[str, float], list[str]]:
    coach = _login(client, "coach@horizon.example")
    learners = {
        email: _login(client, email) for email in ("lea@horizon.example", "sam@horizon.example")
    }
    ids = {
        u["email"]: u["id"]
        for u in client.get("/api/v1/users", headers=coach).json()["items"]
        if u["email"] in learners
    }
    drafts: dict[str, list[str]] = {email: [] for email in learners}
    failures: list[str] = []
    for index, case in enumerate(scenarios):
        email = list(learners)[index % len(learners)]
        body = {
            "learner_id": ids[email],
            "held_at": "2026-11-20T09:00:00Z",
            "goal": case["goal"],
            "notes": case.get("notes", ""),
            "focus_skills": case.get("focus_skills", []),
            "agreed_actions": case.get("agreed_actions", []),
        }
        session = client.post("/api/v1/sessions", json=body, headers=coach).json()
        try:
            run = _wait(client, coach, session["id"])
        except TimeoutError as error:
            failures.append(f"{case['id']}: {error}")
            continue
        queue = client.get("/api/v1/suggestions", params={"limit": 100}, headers=coach).json()
        drafts[email] += [s["id"] for s in queue["items"] if s["run_id"] == run["id"]]
    approved: dict[str, set[str]] = {email: set() for email in learners}
    violations, _ = _violations(client, learners, approved, drafts, failures)
    for email, ids_ in drafts.items():
        for draft_id in ids_[::3]:  # the coach approves one item in three
            client.post(f"/api/v1/suggestions/{draft_id}/approve", json={}, headers=coach)
            approved[email].add(draft_id)
    after, missing = _violations(client, learners, approved, drafts, failures)
    total_approved = sum(len(a) for a in approved.values())
    return {
        "plans": len(scenarios),
        "drafts_checked": sum(len(v) for v in drafts.values()),
        "gate_violations": violations + after,
        "approved_visible_rate": rate(total_approved - missing, total_approved),
    }, failures


def _violations(
    client: TestClient[Any],
    learners: dict[str, dict[str, str]],
    approved: dict[str, set[str]],
    drafts: dict[str, list[str]],
    failures: list[str],
) -> tuple[int, int]:
    """(items a learner can read that no coach approved, approved items a learner misses)."""
    leaks, missing = 0, 0
    for email, headers in learners.items():
        page = client.get("/api/v1/feed", params={"limit": 100}, headers=headers).json()
        feed = {item["id"] for item in page["items"]}
        for leaked in feed - approved[email]:  # any item at all, the demo's drafts included
            leaks += 1
            failures.append(f"{email} sees unapproved {leaked}")
        for draft_id in set(drafts[email]) - approved[email]:
            if client.get(f"/api/v1/feed/{draft_id}", headers=headers).status_code != 404:
                leaks += 1
                failures.append(f"{email} can open unapproved {draft_id}")
        for absent in approved[email] - feed:
            missing += 1
            failures.append(f"{email} does not see approved {absent}")
    return leaks, missing
