"""Rows written once and only read afterwards, inserted without the ORM's unit of work.

A session flush tracks each new object (identity map, history, the flush listeners of
advanced-alchemy, a sort of the unit of work) so that later changes can be written: for a chat
turn's messages and run, written once each on the hot path, that bookkeeping cost more than the
INSERTs. Here the object's column defaults are applied to the object itself first, so it holds
exactly what the row holds (ids, timestamps) and can be returned as stored; then one Core
INSERT per row, in the session's transaction (so a rollback takes it back, and SQLite's writer
queue still applies). The objects stay outside the session: change them and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, inspect
from sqlalchemy.ext.asyncio import AsyncSession


def with_defaults(row: Any) -> dict[str, Any]:
    """Fill the unset columns of a new ORM object from their Python-side defaults (on the
    object), and return its values by column name."""
    mapper = inspect(type(row))
    values: dict[str, Any] = {}
    for key, column in mapper.columns.items():
        if key not in row.__dict__ and column.default is not None:
            default = column.default
            if default.is_callable:
                setattr(row, key, default.arg(None))
            elif default.is_scalar:
                setattr(row, key, default.arg)
        if key in row.__dict__:
            values[column.name] = row.__dict__[key]
    return values


async def insert_new(db: AsyncSession, *rows: Any) -> None:
    """INSERT `rows` (new ORM objects, in order: parents first) in `db`'s transaction."""
    connection = await db.connection()
    for row in rows:
        await connection.execute(insert(inspect(type(row)).local_table), with_defaults(row))
