"""Review-queue benchmark: list and approve through the whole HTTP stack (in-process ASGI, no
network) with N suggestions in the database, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from uuid import UUID

import uuid_utils
from litestar.testing import AsyncTestClient
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.asgi import create_app
from app.db import migrate
from app.db.engine import create_engine
from app.db.models import CoachingSession, Enrollment, Suggestion
from app.db.models.enums import Language, Role, SuggestionKind, SuggestionState
from app.db.provision import temporary_postgres_database
from app.domain.organizations.services import create_organization
from app.domain.people.services import add_user
from app.domain.programs.services import create_program
from app.lib.clock import utcnow
from app.lib.security import Passwords
from app.settings import Settings
from evals.bench.results import Report, summarise_ms, time_async
from evals.bench.seed import person_with_key

LEARNERS = 50
INSERT_BATCH = 5_000


@contextmanager
def bench_database(backend: str, postgres_url: str) -> Iterator[str]:
    if backend == "sqlite":
        with TemporaryDirectory(prefix="interlude-bench-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
    else:
        with temporary_postgres_database(postgres_url, "interlude_bench") as url:
            yield url


async def _seed(db: AsyncSession, suggestions: int) -> str:
    """One organisation, one coach with LEARNERS learners, `suggestions` pending drafts."""
    passwords = Passwords(time_cost=1, memory_kib=1024)
    org = await create_organization(db, slug="bench", name="Bench", default_language=Language.FR)
    coach, secret = await person_with_key(
        db, passwords, org.id, email="coach@bench.example", name="Coach", role=Role.COACH
    )
    program, _ = await create_program(
        db, organization_id=org.id, name="P", language=Language.FR, description="", modules=[]
    )
    sessions = []
    for i in range(LEARNERS):
        learner = await add_user(
            db,
            passwords,
            organization_id=org.id,
            email=f"l{i}@bench.example",
            display_name=f"L{i}",
            role=Role.LEARNER,
            locale=Language.FR,
            password=None,
        )
        enrollment = Enrollment(
            organization_id=org.id, learner_id=learner.id, coach_id=coach.id, program_id=program.id
        )
        db.add(enrollment)
        await db.flush()
        session = CoachingSession(
            organization_id=org.id,
            enrollment_id=enrollment.id,
            coach_id=coach.id,
            learner_id=learner.id,
            held_at=utcnow() - timedelta(days=1),
        )
        db.add(session)
        await db.flush()
        sessions.append(session)
    kinds = itertools.cycle(SuggestionKind)
    rows: list[dict[str, Any]] = []
    now = utcnow()
    for i in range(suggestions):
        session = sessions[i % LEARNERS]
        rows.append(
            {
                "id": UUID(str(uuid_utils.uuid7())),
                "organization_id": org.id,
                "learner_id": session.learner_id,
                "coach_id": coach.id,
                "session_id": session.id,
                "kind": next(kinds),
                "text": f"Question {i}: what would change for your team?",
                "rationale": "bench",
                "citations": [],
                "skill": "feedback",
                "language": Language.FR,
                "state": SuggestionState.PENDING_REVIEW,
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(rows) == INSERT_BATCH:
            await db.execute(insert(Suggestion), rows)
            rows = []
    if rows:
        await db.execute(insert(Suggestion), rows)
    return secret


def _ok(response: Any) -> Any:
    if response.status_code != 200:
        raise RuntimeError(f"benchmark call failed: {response.status_code} {response.text}")
    return response


async def _pending_ids(
    client: AsyncTestClient[Any], headers: dict[str, str], cursor: str, count: int
) -> list[str]:
    """Ids to approve, taken after the first page so listing keeps measuring the same page."""
    ids: list[str] = []
    while len(ids) < count:
        page = (
            await client.get(
                f"/api/v1/suggestions?state=pending_review&limit=200&cursor={cursor}",
                headers=headers,
            )
        ).json()
        ids += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    if len(ids) < count:
        raise SystemExit(f"Not enough suggestions to approve {count}: use --suggestions larger.")
    return ids[:count]


async def _run(url: str, suggestions: int, repeat: int) -> dict[str, float]:
    engine = create_engine(url)
    started = time.perf_counter()
    async with async_sessionmaker(engine, expire_on_commit=False)() as db, db.begin():
        secret = await _seed(db, suggestions)
    seed_seconds = time.perf_counter() - started
    await engine.dispose()

    settings = Settings(database_url=url, log_level="ERROR", environment="test")
    headers = {"Authorization": f"Bearer {secret}"}
    metrics: dict[str, float] = {"seed_seconds": round(seed_seconds, 2)}
    async with AsyncTestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        queue = "/api/v1/suggestions?state=pending_review&limit=50"

        async def list_first_page() -> Any:
            response = await client.get(queue, headers=headers)
            return _ok(response)

        first = (await list_first_page()).json()
        deep_cursor = first["items"][-1]["id"]

        async def list_next_page() -> None:
            response = await client.get(f"{queue}&cursor={deep_cursor}", headers=headers)
            _ok(response)

        to_approve = iter(await _pending_ids(client, headers, deep_cursor, repeat + 1))

        async def approve_one() -> None:
            response = await client.post(
                f"/api/v1/suggestions/{next(to_approve)}/approve", json={}, headers=headers
            )
            _ok(response)

        for name, call in (
            ("list_first_page", list_first_page),
            ("list_next_page", list_next_page),
            ("approve", approve_one),
        ):
            await call()  # warm-up
            for stat, value in summarise_ms(await time_async(call, repeat)).items():
                metrics[f"{name}.{stat}"] = value
    return metrics


def run_queue_bench(
    backends: list[str], suggestions: int, repeat: int, postgres_url: str
) -> list[str]:
    # One line per request from the HTTP client and per migration would bury the results.
    for noisy in ("httpx", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    tables = []
    for backend in backends:
        with bench_database(backend, postgres_url) as url:
            migrate.upgrade(url)
            metrics = asyncio.run(_run(url, suggestions, repeat))
        report = Report(
            name=f"queue-{backend}",
            parameters={"suggestions": suggestions, "learners": LEARNERS, "repeat": repeat},
            metrics=metrics,
        )
        tables.append(report.save_and_compare())
    return tables
