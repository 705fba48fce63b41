"""The PostgreSQL knowledge store's tables, in their own schema `knowledge`.

They need the `vector` extension, which a PostgreSQL server has only when its pgvector package is
installed; CI's server and most development ones have none. So migration 0018 installs them only
where `CREATE EXTENSION vector` succeeds, and `interlude knowledge setup` installs them later (the
same statements, all idempotent) once an operator has added pgvector. A database without them
serves the Chroma store as before; `INTERLUDE_KNOWLEDGE_STORE=postgres` refuses to start on it
and says which of the two steps is missing (`check_ready`).

The app's ORM does not map these tables (the knowledge layer never imports `app`): a schema of
their own keeps them out of the models-versus-migrations comparison, which reads `public`.

The embedding column has no fixed dimension (the model is configuration); its HNSW index is an
expression index per model, `embedding::vector(N)` over that model's rows (pgvector's documented
way to index mixed dimensions). The default model's index comes with the tables; another model's
with `interlude knowledge setup`.
"""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from knowledge import pg_terms
from knowledge.errors import StoreUnavailable

SCHEMA = "knowledge"
DEFAULT_MODEL = ("use-multilingual-v3", 512)
_MODEL_NAME = re.compile(r"^[A-Za-z0-9._:/@+-]{1,100}$")

# Version 1 of the tables. Migration 0018 runs exactly these: change them only by adding
# statements (and a migration that runs the new ones), never by editing these.
TABLES_V1 = (
    f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}",
    # Which embedding model made an organisation's vectors: another model must re-index first.
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.organization (
        organization_id TEXT PRIMARY KEY,
        embedding_model TEXT NOT NULL,
        embedding_dimension INTEGER NOT NULL
    )""",
    # The live-version pointer: flipped in the transaction that writes the new passages.
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.document (
        organization_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        live_version INTEGER,
        PRIMARY KEY (organization_id, document_id)
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SCHEMA}.passage (
        organization_id TEXT NOT NULL,
        id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        document_name TEXT NOT NULL,
        version INTEGER NOT NULL,
        position INTEGER NOT NULL,
        heading_path TEXT[] NOT NULL,
        text TEXT NOT NULL,
        start_offset INTEGER NOT NULL,
        end_offset INTEGER NOT NULL,
        kind TEXT NOT NULL,
        language TEXT NOT NULL,
        skill TEXT NOT NULL,
        lexical TSVECTOR NOT NULL,
        embedding_model TEXT NOT NULL,
        embedding VECTOR NOT NULL,
        PRIMARY KEY (organization_id, id)
    )""",
    f"CREATE INDEX IF NOT EXISTS passage_document ON {SCHEMA}.passage "
    "(organization_id, document_id, version)",
    f"CREATE INDEX IF NOT EXISTS passage_lexical ON {SCHEMA}.passage USING gin (lexical)",
)


# Version 2: the term statistics the lexical budget reads (knowledge/pg_terms.py), counted from
# the passages already there when the table is made. Migration 0019 runs it on databases that
# have the version 1 tables; `install` on new ones.
TABLES_V2 = (pg_terms.CREATE,)


def vector_index_name(model: str, dimension: int) -> str:
    digest = hashlib.sha256(f"{model}:{dimension}".encode()).hexdigest()[:12]
    return f"passage_embedding_{digest}"


def vector_expression(dimension: int) -> str:
    """The indexed expression; a query must use it verbatim for the index to serve."""
    return f"(embedding::vector({int(dimension)}))"


def model_literal(model: str) -> str:
    if not _MODEL_NAME.match(model):
        raise StoreUnavailable(
            f"The embedding model name {model!r} cannot name a vector index: use letters, "
            "digits and . _ : / @ + - only."
        )
    return f"'{model}'"


def vector_index_statement(model: str, dimension: int) -> str:
    return (
        f"CREATE INDEX IF NOT EXISTS {vector_index_name(model, dimension)} ON {SCHEMA}.passage "
        f"USING hnsw ({vector_expression(dimension)} vector_cosine_ops) "
        f"WHERE embedding_model = {model_literal(model)}"
    )


def vector_available(connection: Connection) -> bool:
    """Whether the server has the pgvector package (not whether this database enabled it)."""
    found = connection.execute(
        text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).scalar()
    return found is not None


def try_enable_vector(connection: Connection) -> bool:
    """`CREATE EXTENSION vector` if the server has it and we may; False (nothing changed) if not.

    Runs in a savepoint: a refused CREATE EXTENSION (not a superuser, not the database owner on
    PostgreSQL 13+ with a trusted extension) must not abort the caller's transaction.
    """
    if not vector_available(connection):
        return False
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS vector"))
    except Exception:
        return False
    return True


def install(
    connection: Connection,
    model: str = DEFAULT_MODEL[0],
    dimension: int = DEFAULT_MODEL[1],
    *,
    version: int = 2,
) -> None:
    """The tables up to `version` and the HNSW index for `model` (the extension must be
    enabled). Migrations name their version, so what each one does never changes."""
    _lock(connection)
    for statement in TABLES_V1:
        connection.execute(text(statement))
    connection.execute(text(vector_index_statement(model, dimension)))
    if version >= 2:
        install_v2(connection)


def install_v2(connection: Connection) -> None:
    """The term statistics, counted once from the passages present (a no-op when there)."""
    _lock(connection)
    if connection.execute(text(f"SELECT to_regclass('{pg_terms.TABLE}')")).scalar() is not None:
        return
    for statement in TABLES_V2:
        connection.execute(text(statement))
    connection.execute(text(pg_terms.BACKFILL))


def has_v1(connection: Connection) -> bool:
    return connection.execute(text(f"SELECT to_regclass('{SCHEMA}.passage')")).scalar() is not None


def _lock(connection: Connection) -> None:
    # Two processes installing at once would race on the catalog; one waits for the other.
    connection.execute(text("SELECT pg_advisory_xact_lock(hashtext('interlude.knowledge'))"))


def check_ready(connection: Connection, model: str, dimension: int) -> None:
    """Raise `StoreUnavailable` saying what to do when the store cannot serve `model`."""
    enabled = connection.execute(
        text("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    ).scalar()
    if enabled is None:
        if vector_available(connection):
            raise StoreUnavailable(
                "INTERLUDE_KNOWLEDGE_STORE=postgres: pgvector is installed on the server but not "
                "enabled in this database. As a superuser: `CREATE EXTENSION vector;`, then run "
                "`interlude knowledge setup`."
            )
        raise StoreUnavailable(
            "INTERLUDE_KNOWLEDGE_STORE=postgres needs the pgvector extension, which this "
            "PostgreSQL server does not have. Install it (Debian/Ubuntu: the "
            "postgresql-<major>-pgvector package; see the README, 'Knowledge on PostgreSQL'), "
            "then `CREATE EXTENSION vector;` as a superuser and `interlude knowledge setup`; or "
            "unset INTERLUDE_KNOWLEDGE_STORE to keep the embedded store."
        )
    if not has_v1(connection):
        raise StoreUnavailable(
            "INTERLUDE_KNOWLEDGE_STORE=postgres: the knowledge tables are missing (the database "
            "was migrated before pgvector was enabled). Run `interlude knowledge setup`."
        )
    if connection.execute(text(f"SELECT to_regclass('{pg_terms.TABLE}')")).scalar() is None:
        raise StoreUnavailable(
            "INTERLUDE_KNOWLEDGE_STORE=postgres: the knowledge tables predate the term "
            "statistics the lexical search needs. Run `interlude db upgrade` (or `interlude "
            "knowledge setup`)."
        )
    index = connection.execute(
        text(f"SELECT to_regclass('{SCHEMA}.{vector_index_name(model, dimension)}')")
    ).scalar()
    if index is None:
        raise StoreUnavailable(
            f"INTERLUDE_KNOWLEDGE_STORE=postgres: no vector index for the embedding model "
            f"{model} ({dimension} dimensions). Run `interlude knowledge setup` to build it."
        )
