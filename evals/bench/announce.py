"""Between-session e-mail benchmark: with N learners holding 5 approved items each, all due, how
long the announcer takes to mark every item and queue one e-mail per learner (the scheduling
run; sending is the SMTP server's pace, measured elsewhere by nothing here), on SQLite and on
PostgreSQL. Target (issue #14): 10,000 learners in 10 s or less."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import uuid_utils
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.db import migrate
from app.db.engine import create_engine
from app.db.models import OutboundEmail, Suggestion, User
from app.db.models.enums import Language, Role, SuggestionKind, SuggestionState
from app.domain.notifications.announcer import ItemAnnouncer
from app.domain.organizations.services import create_organization
from app.lib.clock import utcnow
from app.settings import Settings
from evals.bench.queue import INSERT_BATCH, bench_database
from evals.bench.results import REPORTS, Report

ITEMS_PER_LEARNER = 5


async def _seed(db: AsyncSession, learners: int) -> None:
    """One organisation, `learners` learners (no password: they are never logged in), each with
    ITEMS_PER_LEARNER approved items due an hour ago."""
    org = await create_organization(db, slug="bench", name="Bench", default_language=Language.FR)
    now = utcnow()
    people: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    for i in range(learners):
        learner_id = UUID(str(uuid_utils.uuid7()))
        people.append(
            {
                "id": learner_id,
                "organization_id": org.id,
                "email": f"l{i}@bench.example",
                "display_name": f"L{i}",
                "role": Role.LEARNER,
                "locale": Language.FR,
                "is_active": True,
                "item_emails": True,
                "created_at": now,
                "updated_at": now,
            }
        )
        items.extend(
            {
                "id": UUID(str(uuid_utils.uuid7())),
                "organization_id": org.id,
                "learner_id": learner_id,
                "coach_id": learner_id,  # unused here; any user id keeps the key valid
                "kind": SuggestionKind.REFLECTION,
                "text": f"Item {n}",
                "rationale": "",
                "citations": [],
                "skill": "",
                "language": Language.FR,
                "state": SuggestionState.APPROVED,
                "deliver_at": now - timedelta(hours=1, minutes=n),
                "created_at": now,
                "updated_at": now,
            }
            for n in range(ITEMS_PER_LEARNER)
        )
    for start in range(0, len(people), INSERT_BATCH):
        await db.execute(insert(User), people[start : start + INSERT_BATCH])
    for start in range(0, len(items), INSERT_BATCH):
        await db.execute(insert(Suggestion), items[start : start + INSERT_BATCH])


async def _run(url: str, learners: int) -> dict[str, float]:
    engine = create_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with sessions() as db, db.begin():
            await _seed(db, learners)
        settings = Settings(environment="test", database_url=url, smtp_host="127.0.0.1")
        announcer = ItemAnnouncer(sessions, settings)
        started = time.perf_counter()
        passes = 0
        while await announcer.announce_due():
            passes += 1
        elapsed = time.perf_counter() - started
        async with sessions() as db:
            emails = await db.scalar(select(func.count(OutboundEmail.id)))
            left = await db.scalar(
                select(func.count(Suggestion.id)).where(Suggestion.announced_at.is_(None))
            )
    finally:
        await engine.dispose()
    if emails != learners or left:
        raise RuntimeError(f"{emails} e-mails for {learners} learners, {left} items left")
    return {
        "seconds": round(elapsed, 2),
        "items_per_s": round(learners * ITEMS_PER_LEARNER / elapsed),
        "emails": float(emails or 0),
        "passes": float(passes),
    }


def run_announce_bench(
    backends: list[str], learners: int, postgres_url: str, reports: Path = REPORTS
) -> list[str]:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    tables = []
    for backend in backends:
        with bench_database(backend, postgres_url) as url:
            migrate.upgrade(url)
            metrics: dict[str, Any] = asyncio.run(_run(url, learners))
        report = Report(
            name=f"announce-{backend}",
            parameters={"learners": learners, "items_per_learner": ITEMS_PER_LEARNER},
            metrics=metrics,
        )
        tables.append(report.save_and_compare(reports))
    return tables
