from __future__ import annotations

import msgspec
from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class HealthOut(msgspec.Struct):
    status: str
    database: str


@get("/health", tags=["health"], summary="Liveness and database reachability")
async def health(db_session: NamedDependency[AsyncSession]) -> HealthOut:
    """Answers 200 when the app runs and its database answers a query; a monitor's probe. Needs no
    identity."""
    await db_session.execute(text("SELECT 1"))
    return HealthOut(status="ok", database="ok")
