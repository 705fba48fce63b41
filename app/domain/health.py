"""Probes for monitors and orchestrators; none needs an identity, none reads tenant data.

- `/health/live`: the process answers. Nothing else is checked, so a slow database never gets
  a healthy process restarted.
- `/health/ready`: this process can serve the whole loop now, so a load balancer may send it
  traffic: the database answers and its schema is at the migrations' head (an older schema
  means `interlude db upgrade` has not run; a newer one, that this code is older than the
  database), the knowledge store opens, and the safety guard has finished warming up (before
  that, the first chat message waits for its training: seconds, up to a minute on a busy
  machine). 503 with the reasons otherwise.
- `/health`: the older probe (the process and its database), kept for monitors that use it.
"""

from __future__ import annotations

import asyncio
import contextlib
from functools import lru_cache
from typing import Any

import anyio.to_thread
import msgspec
import structlog
from litestar import Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import migrate
from knowledge.store import KnowledgeStore

log = structlog.get_logger("interlude.health")
# A probe answers within its caller's timeout (Kubernetes: 1 s by default, often raised).
CHECK_TIMEOUT_S = 2.0


class HealthOut(msgspec.Struct):
    status: str
    database: str


class LiveOut(msgspec.Struct):
    status: str


class ReadyOut(msgspec.Struct):
    status: str  # "ready" | "not_ready"
    checks: dict[str, str]  # database, migrations, knowledge, guard: "ok" or what is wrong
    reasons: list[str]  # what keeps the process from being ready; empty when ready


@get("/health", tags=["health"], summary="Liveness and database reachability")
async def health(db_session: NamedDependency[AsyncSession]) -> HealthOut:
    """Answers 200 when the app runs and its database answers a query; a monitor's probe. Needs no
    identity."""
    await db_session.execute(text("SELECT 1"))
    return HealthOut(status="ok", database="ok")


@get("/health/live", tags=["health"], summary="Liveness: the process answers")
async def health_live() -> LiveOut:
    """Answers 200 while the process serves requests; checks nothing else. Needs no identity."""
    return LiveOut(status="ok")


@get(
    "/health/ready",
    tags=["health"],
    summary="Readiness: database at the migrations' head, knowledge store, safety guard",
    responses={
        503: ResponseSpec(
            data_container=ReadyOut,
            description="Not ready: `reasons` says what is missing.",
            generate_examples=False,
        )
    },
)
async def health_ready(
    db_session: NamedDependency[AsyncSession],
    knowledge: NamedDependency[KnowledgeStore],
    state: State,
) -> Response[ReadyOut]:
    """Answers 200 when this process can serve everything now, 503 with the reasons when not.
    Needs no identity."""
    checks = {
        "database": "ok",
        "migrations": await _migrations(db_session),
        "knowledge": await _knowledge(knowledge),
        "guard": _guard(state),
    }
    if checks["migrations"] == "unreachable":
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown: the database does not answer"
    reasons = [f"{name}: {value}" for name, value in checks.items() if value != "ok"]
    if reasons:
        log.warning("not_ready", reasons=reasons)
    return Response(
        ReadyOut(status="not_ready" if reasons else "ready", checks=checks, reasons=reasons),
        status_code=503 if reasons else 200,
    )


@lru_cache(maxsize=1)
def _code_head() -> str | None:
    """The newest migration this code knows; read from the migration files once."""
    return migrate.current_head()


async def _migrations(db: AsyncSession) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_S):
            versions = (await db.execute(text("SELECT version_num FROM alembic_version"))).all()
    except Exception as error:  # unreachable, or never migrated: both leave it unready
        await _rollback(db)
        if "alembic_version" in str(error):
            return "not migrated: run `interlude db upgrade`"
        log.warning("readiness_database_failed", error=type(error).__name__)
        return "unreachable"
    found = {row[0] for row in versions}
    head = await anyio.to_thread.run_sync(_code_head)
    if found == {head}:
        return "ok"
    return f"at {', '.join(sorted(found)) or 'no revision'}, code expects {head}"


async def _rollback(db: AsyncSession) -> None:
    with contextlib.suppress(Exception):  # the connection is already gone: nothing to undo
        await db.rollback()


async def _knowledge(knowledge: KnowledgeStore) -> str:
    try:
        await anyio.to_thread.run_sync(knowledge.check)
    except Exception as error:
        log.warning("readiness_knowledge_failed", error=type(error).__name__)
        return f"the store does not open ({type(error).__name__})"
    return "ok"


def _guard(state: State) -> str:
    warm_up: Any = state.get("guard_warm_up")
    if warm_up is not None and warm_up.is_alive():
        return "warming up"
    return "ok"
