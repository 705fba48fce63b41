"""Migrations are the schema: they apply, roll back, re-apply, and match the models."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from app.db import migrate
from app.db.engine import create_engine
from app.db.models import metadata
from app.db.provision import temporary_postgres_database
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/fresh.db"
        return
    request.getfixturevalue("postgres_database")  # skips or fails when PostgreSQL is absent
    with temporary_postgres_database(POSTGRES_URL, "interlude_mig") as url:
        yield url


def _inspect(url: str, fn: Any) -> Any:
    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def _drift(connection: Connection) -> list[Any]:
    # SQLite reflects advanced-alchemy's GUID (BINARY(16)) as NUMERIC: compare types on
    # PostgreSQL only, where reflection is exact; tables, columns, nullability and indexes on both.
    compare_types = connection.dialect.name != "sqlite"
    context = MigrationContext.configure(connection, opts={"compare_type": compare_types})
    return list(compare_metadata(context, metadata))


def test_upgrade_downgrade_upgrade(empty_db_url: str, db_url: str) -> None:
    migrate.upgrade(empty_db_url)
    assert _inspect(empty_db_url, _tables) == set(metadata.tables)
    migrate.downgrade(empty_db_url, "base")
    assert _inspect(empty_db_url, _tables) == set()
    migrate.upgrade(empty_db_url)
    assert _inspect(empty_db_url, _tables) == set(metadata.tables)


def test_models_and_migrations_agree(db_url: str) -> None:
    assert _inspect(db_url, _drift) == []
