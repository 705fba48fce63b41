"""SQLite statements reach aiosqlite's thread once each (app/db/sqlite_one_hop.py), with the
same results as the stock adapter: rows, rowcount, lastrowid, errors translated."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import aiosqlite.core
import pytest
from sqlalchemy import exc, text

from app.db.engine import create_engine
from app.db.sqlite_one_hop import OneHopConnection


def test_one_round_trip_per_statement_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops = 0
    stock: Any = aiosqlite.core.Connection._execute

    async def counted(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal hops
        hops += 1
        return await stock(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.core.Connection, "_execute", counted)

    async def run() -> tuple[Any, ...]:
        nonlocal hops
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'hops.db'}")
        try:
            async with engine.begin() as connection:
                raw = await connection.get_raw_connection()
                assert isinstance(raw.dbapi_connection, OneHopConnection)
                await connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, b TEXT)"))
                hops = 0
                inserted = await connection.execute(text("INSERT INTO note (b) VALUES ('x')"))
                many = await connection.execute(
                    text("INSERT INTO note (b) VALUES (:b)"), [{"b": "y"}, {"b": "z"}]
                )
                updated = await connection.execute(text("UPDATE note SET b = b || '!'"))
                rows = (await connection.execute(text("SELECT id, b FROM note ORDER BY id"))).all()
                statement_hops = hops
                with pytest.raises(exc.IntegrityError):
                    await connection.execute(text("INSERT INTO note (id, b) VALUES (1, 'dup')"))
            return inserted.lastrowid, many.rowcount, updated.rowcount, rows, statement_hops
        finally:
            await engine.dispose()

    lastrowid, many, updated, rows, statement_hops = asyncio.run(run())
    assert (lastrowid, many, updated) == (1, 2, 3)
    assert [tuple(r) for r in rows] == [(1, "x!"), (2, "y!"), (3, "z!")]
    assert statement_hops == 4  # the stock adapter: 13 (cursor, execute, [fetch,] close)
