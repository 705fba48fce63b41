"""knowledge on PostgreSQL: the pgvector store's tables, where the server has pgvector

The PostgreSQL knowledge store (INTERLUDE_KNOWLEDGE_STORE=postgres, knowledge/pg.py) keeps
passages, their tsvector index and their embeddings in schema `knowledge`. Its tables need the
`vector` extension, which many servers lack (CI's PostgreSQL 15 has no pgvector package), and
SQLite has no equivalent. So this revision is conditional, and says so:

- SQLite, or PostgreSQL where `CREATE EXTENSION vector` is impossible (no package, or a user who
  may not create it): nothing changes; the Chroma store serves as before.
- PostgreSQL where it succeeds: the extension, the tables and the default model's HNSW index.

A database that reached this revision without pgvector gets the tables later with
`interlude knowledge setup` (the same idempotent statements, knowledge/pg_schema.py); a server
started with INTERLUDE_KNOWLEDGE_STORE=postgres on a database without them refuses to start
and says that. The tables stay out of the app's ORM metadata (schema `knowledge`, not
`public`), so the models-versus-migrations check is the same with or without them.

Revision ID: 0018
Revises: 0017
"""

import logging
from collections.abc import Sequence

from alembic import op

from knowledge import pg_schema

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    if not pg_schema.try_enable_vector(connection):
        logging.getLogger("alembic.runtime.migration").warning(
            "0018: no pgvector on this server (or no right to enable it): the PostgreSQL "
            "knowledge store's tables were not created; the embedded store serves. See the "
            "README, 'Knowledge on PostgreSQL'."
        )
        return
    pg_schema.install(connection, version=1)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # The extension stays: other databases or schemas may use it.
        op.execute(f"DROP SCHEMA IF EXISTS {pg_schema.SCHEMA} CASCADE")
