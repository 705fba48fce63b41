"""Throwaway databases for tests and benchmarks: created, migrated, dropped."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url

from app.db.engine import create_engine


async def execute_autocommit(url: str, *statements: str) -> None:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def create_postgres_database(server_url: str, prefix: str) -> str:
    """Create an empty database next to `server_url`'s and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    asyncio.run(execute_autocommit(server_url, f'CREATE DATABASE "{name}"'))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    asyncio.run(execute_autocommit(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def temporary_postgres_database(server_url: str, prefix: str) -> Iterator[str]:
    url = create_postgres_database(server_url, prefix)
    try:
        yield url
    finally:
        drop_postgres_database(server_url, url)
