"""The one place database engines are built, from settings."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from advanced_alchemy.extensions.litestar import AsyncSessionConfig, SQLAlchemyAsyncConfig
from sqlalchemy import event
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from app.db import sqlite_one_hop, sqlite_writers

T = TypeVar("T")
# How long a SQLite writer may wait for its turn: behind this process's writers (in order),
# then for SQLite's lock against other processes.
SQLITE_WAIT_MS = 10_000


def _tune_sqlite(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def tune(dbapi_connection: Any, _record: Any) -> None:
        sqlite_one_hop.adopt(dbapi_connection)  # one thread round trip per statement
        # WAL lets readers proceed during a write; foreign keys are off by default in SQLite;
        # busy_timeout makes writers of other processes wait instead of failing at once
        # (this process's own writers queue first: app/db/sqlite_writers.py).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows are overwritten, not left in free pages: an erased learner's words are
        # gone from the file itself (app/domain/privacy).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return tune


def create_engine(
    url: str, *, sqlite_busy_timeout_ms: int = SQLITE_WAIT_MS, **options: Any
) -> AsyncEngine:
    """Build an async engine; `options` go to SQLAlchemy (advanced-alchemy adds JSON codecs)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _tune_sqlite(sqlite_busy_timeout_ms))
        sqlite_writers.install(engine, wait_s=SQLITE_WAIT_MS / 1000)
        return engine
    options = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10, **options}
    return create_async_engine(url, **options)


def database_config(url: str, session_info: dict[str, Any]) -> SQLAlchemyAsyncConfig:
    """The database of a web or worker process: one engine (with advanced-alchemy's JSON
    codecs, so both kinds of process write JSON columns alike) and its session maker, whose
    sessions carry `session_info`."""
    return SQLAlchemyAsyncConfig(
        connection_string=url,
        create_engine_callable=create_engine,
        session_config=AsyncSessionConfig(expire_on_commit=False, info=session_info),
        before_send_handler="autocommit",
        set_default_exception_handler=False,
        create_all=False,  # the schema comes from Alembic migrations only
    )


def run_in_transaction(url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on a short-lived engine (CLI commands, tests)."""

    async def run() -> T:
        engine = create_engine(url)
        try:
            async with async_sessionmaker(engine, expire_on_commit=False)() as db, db.begin():
                return await work(db)
        finally:
            await engine.dispose()

    return asyncio.run(run())
