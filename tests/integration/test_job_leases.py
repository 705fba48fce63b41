"""No job runs twice (issue #16): a plan run is leased to the process that claimed it.

Two "processes" are two workers with different holder ids on one database (or a started app
and a worker). Restarting one leaves the other's running job alone; a holder that stops
renewing (its clock moved, no sleeping) has its job taken over once, and its own late result
is fenced out; a worker killed with SIGKILL in the middle of 100 jobs leaves each of them to be
done exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db.engine import create_engine
from app.db.models import AgentRun, Document, Suggestion
from app.domain.agents.runtime import AgentRuntime
from app.domain.knowledge.pipeline import DOCUMENT_JOBS
from app.domain.plans.worker import PlanWorker
from app.lib import leases
from app.lib.clock import utcnow
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder
from tests.integration.test_agents_api import seeded  # noqa: F401 - a fixture
from tests.plan_victim import VICTIM
from tests.support import OrgWorld, queue_plans, run_db

ROOT = Path(__file__).resolve().parents[2]
LEASE = timedelta(seconds=60)  # Settings.job_lease_seconds
T = TypeVar("T")


def _with_workers(
    settings: Settings,
    work: Callable[[Callable[..., PlanWorker]], Awaitable[T]],
) -> T:
    """Run `work` with a factory of plan workers (composer mode) on one engine."""

    async def run() -> T:
        engine = create_engine(settings.resolved_database_url)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        knowledge = KnowledgeBase(settings.knowledge_dir, UniversalSentenceEncoder())
        runtime = AgentRuntime.with_model(knowledge, None)

        def worker(holder: str, clock: Callable[[], datetime] = utcnow) -> PlanWorker:
            return PlanWorker(sessions, runtime, settings, holder=holder, clock=clock)

        try:
            return await work(worker)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _runs(settings: Settings, ids: list[UUID]) -> dict[UUID, tuple[str, str | None, int, int]]:
    """Each run: (status, claimed_by, drafts it recorded, drafts that exist)."""

    async def read(db: AsyncSession) -> dict[UUID, tuple[str, str | None, int, int]]:
        counts = dict(
            (
                await db.execute(
                    select(Suggestion.run_id, func.count())
                    .where(Suggestion.run_id.in_(ids))
                    .group_by(Suggestion.run_id)
                )
            ).all()
        )
        runs = (await db.scalars(select(AgentRun).where(AgentRun.id.in_(ids)))).all()
        return {
            r.id: (r.status, r.claimed_by, int(r.details.get("items", 0)), counts.get(r.id, 0))
            for r in runs
        }

    return run_db(settings, read)


def test_restarting_a_process_leaves_the_plan_another_one_runs_alone(
    seeded: list[OrgWorld],  # noqa: F811
    settings: Settings,
    start_app: Callable[..., TestClient[Any]],
) -> None:
    (run_id,) = queue_plans(settings, seeded[0])

    async def a_claims(worker: Callable[..., PlanWorker]) -> list[UUID]:
        return await worker("process-a").leases.claim(5)

    assert _with_workers(settings, a_claims) == [run_id]
    # Process B (re)starts on the same database while A drafts: it re-queues nothing alive.
    client = start_app(job_poll_seconds=0.1)
    b_worker = client.app.state.plan_worker
    assert client.blocking_portal.call(b_worker.run_once) == 0
    status, holder, _, drafts = _runs(settings, [run_id])[run_id]
    assert (status, holder, drafts) == ("running", "process-a", 0)

    async def a_finishes(worker: Callable[..., PlanWorker]) -> None:
        await worker("process-a").run(run_id)

    _with_workers(settings, a_finishes)
    assert client.blocking_portal.call(b_worker.run_once) == 0
    status, holder, recorded, drafts = _runs(settings, [run_id])[run_id]
    assert (status, holder) == ("done", "process-a")
    assert recorded == drafts > 0  # once, not twice


def test_a_holder_that_stops_renewing_loses_its_plan_once_and_writes_nothing(
    seeded: list[OrgWorld],  # noqa: F811
    settings: Settings,
) -> None:
    (run_id,) = queue_plans(settings, seeded[0])
    now = utcnow()

    async def scenario(worker: Callable[..., PlanWorker]) -> tuple[int, int, int]:
        a = worker("process-a", lambda: now)
        assert await a.leases.claim(5) == [run_id]
        # B, within the lease: nothing to take over, nothing to run.
        b_soon = worker("process-b", lambda: now + LEASE - timedelta(seconds=1))
        await b_soon.leases.beat()
        early = await b_soon.run_once()
        # A died (it stopped renewing); once its lease has passed B takes the run over.
        b_later = worker("process-b", lambda: now + LEASE + timedelta(seconds=1))
        await b_later.leases.beat()
        taken = await b_later.run_once()
        again = await b_later.run_once()
        # A was not dead after all, only stuck: its late result is fenced out.
        await a.run(run_id)
        a.leases.release(run_id)
        return early, taken, again

    assert _with_workers(settings, scenario) == (0, 1, 0)
    status, holder, recorded, drafts = _runs(settings, [run_id])[run_id]
    assert (status, holder) == ("done", "process-b")
    assert recorded == drafts > 0


def test_a_holder_that_renews_keeps_its_plan(
    seeded: list[OrgWorld],  # noqa: F811
    settings: Settings,
) -> None:
    (run_id,) = queue_plans(settings, seeded[0])
    now = utcnow()

    async def scenario(worker: Callable[..., PlanWorker]) -> int:
        clock = [now]
        a = worker("process-a", lambda: clock[0])
        assert await a.leases.claim(5) == [run_id]
        clock[0] = now + LEASE * 2 / 3
        await a.leases.beat()  # renewed until now + 40 s + 60 s
        b = worker("process-b", lambda: now + LEASE + timedelta(seconds=1))
        await b.leases.beat()
        return await b.run_once()

    assert _with_workers(settings, scenario) == 0
    status, holder, _, drafts = _runs(settings, [run_id])[run_id]
    assert (status, holder, drafts) == ("running", "process-a", 0)


def test_a_worker_killed_among_100_plans_leaves_each_done_exactly_once(
    seeded: list[OrgWorld],  # noqa: F811
    settings: Settings,
    tmp_path: Path,
) -> None:
    ids = queue_plans(settings, seeded[0], 100)
    ready = tmp_path / "frozen"
    victim = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "tests.plan_victim",
            settings.resolved_database_url,
            str(settings.data_dir),
            str(ready),
            "37",  # mid-way, and mid-batch: three more runs of its batch claimed
        ],
        cwd=ROOT,
        env={**os.environ, "INTERLUDE_LOG_LEVEL": "WARNING"},
    )
    deadline = time.monotonic() + 120
    while not ready.exists():
        assert victim.poll() is None, "the victim process ended before freezing"
        assert time.monotonic() < deadline, "the victim never got mid-way"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    left = _runs(settings, ids)
    held = [run_id for run_id, (status, holder, _, _) in left.items() if status == "running"]
    assert len(held) == 3
    assert all(left[run_id][1] == VICTIM for run_id in held)
    now = utcnow()

    async def survive(worker: Callable[..., PlanWorker]) -> tuple[int, int]:
        alive = worker("survivor", lambda: now)
        await alive.leases.start()  # the victim's lease is still running: not re-queued
        await alive.leases.stop()
        first = 0
        while handled := await alive.run_once():
            first += handled
        later = worker("survivor", lambda: now + LEASE + timedelta(seconds=1))
        await later.leases.beat()  # the victim's lease has passed
        second = 0
        while handled := await later.run_once():
            second += handled
        return first, second

    assert _with_workers(settings, survive) == (100 - 37 - 3, 3)
    runs = _runs(settings, ids)
    assert {status for status, _, _, _ in runs.values()} == {"done"}
    assert all(recorded == drafts > 0 for _, _, recorded, drafts in runs.values())
    assert sum(holder == VICTIM for _, holder, _, _ in runs.values()) == 37


def test_a_worker_that_stops_cleanly_gives_its_plans_back(
    seeded: list[OrgWorld],  # noqa: F811
    settings: Settings,
) -> None:
    (run_id,) = queue_plans(settings, seeded[0])

    async def scenario(worker: Callable[..., PlanWorker]) -> int:
        a = worker("process-a")
        assert await a.leases.claim(5) == [run_id]
        await a.leases.stop()  # a restart need not wait for the lease to pass
        return await worker("process-b").run_once()

    assert _with_workers(settings, scenario) == 1
    status, holder, recorded, drafts = _runs(settings, [run_id])[run_id]
    assert (status, holder) == ("done", "process-b")
    assert recorded == drafts > 0


def test_documents_are_leased_by_the_same_code(settings: Settings, worlds: list[OrgWorld]) -> None:
    now = utcnow()

    async def scenario(db: AsyncSession) -> list[Any]:
        document = Document(organization_id=worlds[0].id, name="lease.md")
        db.add(document)
        await db.flush()
        jobs = DOCUMENT_JOBS
        return [
            await leases.claim(db, jobs, "process-a", now, LEASE, 10),
            await leases.claim(db, jobs, "process-b", now, LEASE, 10),
            await leases.requeue_expired(db, jobs, now + LEASE - timedelta(seconds=1)),
            await leases.requeue_expired(db, jobs, now + LEASE + timedelta(seconds=1)),
            await leases.fence(db, jobs, "process-a", document.id),
            await leases.claim(db, jobs, "process-b", now + LEASE, LEASE, 10),
            await leases.fence(db, jobs, "process-b", document.id),
        ]

    claim_a, claim_b, early, late, fence_a, retaken, fence_b = run_db(settings, scenario)
    assert len(claim_a) == 1
    assert (claim_b, early, late, fence_a) == ([], 0, 1, False)
    assert retaken == claim_a
    assert fence_b is True
