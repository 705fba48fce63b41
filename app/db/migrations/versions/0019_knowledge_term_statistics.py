"""knowledge on PostgreSQL: term statistics for the lexical search's postings budget

The lexical step of the PostgreSQL knowledge store ranked every passage holding any query term:
1.5 s p95 at 100k passages. It now ranks only the rarest terms within a postings budget, as the
SQLite catalogue does, which needs each term's passage count before ranking: table
`knowledge.term` (knowledge/pg_terms.py), kept by the transactions that write passages. This
revision makes it and counts the passages already stored, where the knowledge tables exist
(migration 0018 made them only where pgvector could be enabled); elsewhere nothing changes, and
`interlude knowledge setup` makes both later.

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

from alembic import op

from knowledge import pg_schema

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "postgresql" and pg_schema.has_v1(connection):
        pg_schema.install_v2(connection)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TABLE IF EXISTS knowledge.term")
