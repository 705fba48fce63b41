"""SQLite writers of one process queue for the write lock instead of polling past busy_timeout
(app/db/sqlite_writers.py). SQLite's busy_timeout is made short here, so a writer that had to
poll for the lock while others hold it would fail fast: only the queue keeps them all."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from app.db.engine import create_engine

BUSY_TIMEOUT_MS = 100
HOLD_S = 0.05  # each writer holds SQLite's lock this long: 10 of them need 5x the timeout


async def _engine(tmp_path: Path) -> AsyncEngine:
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'writers.db'}",
        sqlite_busy_timeout_ms=BUSY_TIMEOUT_MS,
        pool_size=12,
    )
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
    return engine


async def _write(engine: AsyncEngine, body: str, *, fail: bool = False) -> None:
    async with async_sessionmaker(engine)() as db, db.begin():
        await db.execute(text("SELECT count(*) FROM note"))  # a read first, as services do
        await db.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})
        await asyncio.sleep(HOLD_S)  # the event loop serves others meanwhile
        if fail:
            raise RuntimeError("the writer changed its mind")
        await db.execute(text("UPDATE note SET body = body || '.' WHERE body = :b"), {"b": body})


def test_concurrent_writers_all_commit_instead_of_database_is_locked(tmp_path: Path) -> None:
    async def run() -> list[str]:
        engine = await _engine(tmp_path)
        try:
            await asyncio.gather(*(_write(engine, f"w{i}") for i in range(10)))
            async with engine.connect() as connection:
                return list((await connection.execute(text("SELECT body FROM note"))).scalars())
        finally:
            await engine.dispose()

    assert sorted(asyncio.run(run())) == sorted(f"w{i}." for i in range(10))


def test_a_writer_that_rolls_back_hands_over_its_turn(tmp_path: Path) -> None:
    async def run() -> int:
        engine = await _engine(tmp_path)
        try:
            with pytest.raises(RuntimeError):
                await _write(engine, "gone", fail=True)
            await asyncio.wait_for(_write(engine, "kept"), timeout=5)
            async with engine.connect() as connection:
                return int((await connection.execute(text("SELECT count(*) FROM note"))).one()[0])
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == 1


def test_reads_do_not_wait_for_a_writer(tmp_path: Path) -> None:
    async def run() -> float:
        engine = await _engine(tmp_path)
        try:
            writer = asyncio.create_task(_write(engine, "slow"))
            await asyncio.sleep(HOLD_S / 5)  # the writer holds the lock now
            loop = asyncio.get_running_loop()
            started = loop.time()
            async with async_sessionmaker(engine)() as db:
                await db.execute(text("SELECT count(*) FROM note"))
            took = loop.time() - started
            await writer
            return took
        finally:
            await engine.dispose()

    assert asyncio.run(run()) < HOLD_S / 2


# A statement that keeps SQLite busy for a second or so (3 million recursive rows).
SLOW_READ = (
    "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) "
    "SELECT count(*) FROM n"
)


def test_a_writer_cancelled_mid_statement_ends_cancelled_and_hands_over(tmp_path: Path) -> None:
    """A job loop stopped at shutdown is cancelled wherever it waits. Cancelled mid-statement,
    SQLAlchemy drops the connection, and the rollback that follows must not turn the
    cancellation into "Can't reconnect until invalid transaction is rolled back" (CI logged
    one as a job loop error and traced it as a failed pass)."""

    async def run() -> int:
        engine = await _engine(tmp_path)
        try:

            async def busy_writer() -> None:
                async with async_sessionmaker(engine)() as db, db.begin():
                    await db.execute(text("INSERT INTO note (body) VALUES ('dropped')"))
                    await db.execute(text(SLOW_READ))

            writer = asyncio.create_task(busy_writer())
            await asyncio.sleep(0.2)  # inside the slow statement, holding the writers' turn
            writer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await writer
            await asyncio.wait_for(_write(engine, "after"), timeout=5)  # the turn was let go
            async with engine.connect() as connection:
                return int((await connection.execute(text("SELECT count(*) FROM note"))).one()[0])
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == 1
