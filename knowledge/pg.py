"""Knowledge on PostgreSQL with pgvector: the store for several processes and machines.

Passages, their spans and versions, a `tsvector` lexical index and the embeddings live in the
app's database (tables in knowledge/pg_schema.py). Every statement names the organisation in
its WHERE clause; a handle is bound to one organisation like the Chroma one.

- Re-indexing is one transaction: the new version's passages are written, the live pointer
  flips, the old passages go. A reader sees the commit whole or not at all, and a search runs
  in one REPEATABLE READ snapshot, so dense, lexical and the passages' text agree.
- Lexical: each passage is indexed with its language's text search configuration (`french`,
  `english`: stemming and stop words), title weighted over body. Accents are folded in Python
  before PostgreSQL sees the text, for passages and queries alike, so servers without the
  `unaccent` contrib module (the pgserver wheel has none) rank the same. A query is parsed
  with both configurations and each passage matched against its own language's terms (OR of
  the terms, like the SQLite path), ranked by `ts_rank` (the reads: knowledge/pg_search.py).
- Dense: cosine distance on an HNSW index per embedding model; pgvector 0.8's iterative scan
  keeps filtered queries (one organisation among many, a kind, a skill) from coming back short.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from opentelemetry.trace import Tracer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine

from knowledge import pg_schema, pg_terms
from knowledge.chunking import chunk_document
from knowledge.documents import Chunk, SourceDocument
from knowledge.embeddings import Embedder, Vectors
from knowledge.errors import ReindexRequired, StoreUnavailable
from knowledge.pg_search import (
    COLUMNS,
    LIVE,
    PgReader,
    fetch_live,
    parse_vector,
    passage_row,
    to_chunk,
)
from knowledge.retrieval import PassageReader, Retriever
from knowledge.store import (
    IndexedDocument,
    LivePassages,
    check_organization_id,
    embed_chunks,
)


def sync_url(database_url: str) -> str:
    """The app's async URL for the sync driver this layer uses (it runs in threads)."""
    for prefix in ("postgresql+asyncpg://", "postgres://", "postgresql://"):
        if database_url.startswith(prefix):
            return "postgresql+psycopg://" + database_url[len(prefix) :]
    if database_url.startswith("postgresql+psycopg://"):
        return database_url
    raise StoreUnavailable(
        "INTERLUDE_KNOWLEDGE_STORE=postgres needs DATABASE_URL to name a PostgreSQL database."
    )


class PgOrganizationKnowledge:
    """Indexes and retrieval for one organisation, in PostgreSQL."""

    def __init__(self, store: PgKnowledgeStore, organization_id: str) -> None:
        self._store = store
        self._organization_id = organization_id

    @property
    def organization_id(self) -> str:
        return self._organization_id

    @property
    def embedder(self) -> Embedder:
        return self._store.embedder

    def retriever(self) -> Retriever:
        return Retriever(self, self._store.embedder, tracer=self._store.tracer, store="postgres")

    @contextmanager
    def reading(self) -> Iterator[PassageReader]:
        with self._store.engine().connect() as connection:
            connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
            yield PgReader(connection, self.organization_id, self._store.embedder)
            connection.rollback()

    def index_document(
        self,
        document: SourceDocument,
        *,
        document_id: str,
        version: int,
        progress: Callable[[int], None] | None = None,
    ) -> IndexedDocument:
        chunks = chunk_document(
            document, organization_id=self.organization_id, document_id=document_id, version=version
        )
        vectors = embed_chunks(self._store.embedder, chunks, progress)
        with self._store.engine().begin() as db:
            self._write(db, chunks, vectors, {document_id: version})
        return IndexedDocument(document_id, version, len(chunks))

    def import_live(self, passages: LivePassages) -> None:
        live = {c.document_id: c.version for c in passages.chunks}
        with self._store.engine().begin() as db:
            self._write(db, passages.chunks, passages.vectors, live)

    def _write(
        self, db: Connection, chunks: Sequence[Chunk], vectors: Vectors, live: dict[str, int]
    ) -> None:
        """Passages in, live pointers flipped, stale passages out: one transaction."""
        org = self.organization_id
        model = self._store.embedder.model_name
        documents = sorted(live)
        for document_id in documents:  # the same order everywhere: no deadlock
            db.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"{org}|{document_id}"},
            )
        pg_terms.lock(db, org)
        pg_terms.count(db, org, documents, -1)
        db.execute(
            text(
                "INSERT INTO knowledge.organization VALUES (:org, :model, :dimension) "
                "ON CONFLICT (organization_id) DO NOTHING"
            ),
            {"org": org, "model": model, "dimension": self._store.embedder.dimension},
        )
        if chunks:
            db.execute(
                text(
                    "INSERT INTO knowledge.passage VALUES (:org, :id, :document_id, "
                    ":document_name, :version, :position, :heading_path, :text, :start, :end, "
                    ":kind, :language, :skill, "
                    "setweight(to_tsvector(CAST(:config AS regconfig), :title), 'A') "
                    "|| setweight(to_tsvector(CAST(:config AS regconfig), :body), 'B'), :model, "
                    "CAST(:embedding AS vector)) ON CONFLICT (organization_id, id) DO UPDATE SET "
                    "text = excluded.text, lexical = excluded.lexical, "
                    "embedding_model = excluded.embedding_model, embedding = excluded.embedding"
                ),
                [
                    passage_row(org, chunk, vector, model)
                    for chunk, vector in zip(chunks, vectors, strict=True)
                ],
            )
        for document_id, version in live.items():
            db.execute(
                text(
                    "INSERT INTO knowledge.document VALUES (:org, :document_id, :version) "
                    "ON CONFLICT (organization_id, document_id) "
                    "DO UPDATE SET live_version = excluded.live_version"
                ),
                {"org": org, "document_id": document_id, "version": version},
            )
            db.execute(
                text(
                    "DELETE FROM knowledge.passage WHERE organization_id = :org "
                    "AND document_id = :document_id AND version <> :version"
                ),
                {"org": org, "document_id": document_id, "version": version},
            )
        pg_terms.count(db, org, documents, 1)
        pg_terms.forget_unused(db, org)

    def remove_document(self, document_id: str) -> None:
        params = {"org": self.organization_id, "document_id": document_id}
        with self._store.engine().begin() as db:
            db.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"{self.organization_id}|{document_id}"},
            )
            pg_terms.lock(db, self.organization_id)
            pg_terms.count(db, self.organization_id, [document_id], -1)
            pg_terms.forget_unused(db, self.organization_id)
            for table in ("passage", "document"):
                db.execute(
                    text(
                        f"DELETE FROM knowledge.{table} WHERE organization_id = :org "  # noqa: S608
                        "AND document_id = :document_id"
                    ),
                    params,
                )

    def live_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        with self._store.engine().connect() as db:
            return fetch_live(db, self.organization_id, ids)

    def count_live(self) -> int:
        with self._store.engine().connect() as db:
            found = db.execute(
                text(
                    f"SELECT count(*) FROM knowledge.passage p {LIVE} "  # noqa: S608
                    "WHERE p.organization_id = :org"
                ),
                {"org": self.organization_id},
            ).scalar()
        return int(found or 0)

    def export_live(self, batch: int = 500) -> Iterator[LivePassages]:
        with self._store.engine().connect() as db:
            connection = db.execution_options(stream_results=True, max_row_buffer=batch)
            rows = connection.execute(
                text(
                    f"SELECT {COLUMNS}, p.embedding::text FROM knowledge.passage p {LIVE} "  # noqa: S608
                    "WHERE p.organization_id = :org ORDER BY p.document_id, p.position"
                ),
                {"org": self.organization_id},
            )
            while page := rows.fetchmany(batch):
                yield LivePassages(
                    [to_chunk(row, self.organization_id) for row in page],
                    np.asarray([parse_vector(row[12]) for row in page], dtype=np.float32),
                )


class PgKnowledgeStore:
    """The knowledge of every organisation in one PostgreSQL database (pgvector)."""

    def __init__(
        self,
        database_url: str,
        embedder: Embedder,
        *,
        pool_size: int = 5,
        tracer: Tracer | None = None,
    ) -> None:
        """`tracer`: each search is a span (store, mode, hits; never the query)."""
        self.tracer = tracer
        self._url = sync_url(database_url)
        self._embedder = embedder
        self._pool_size = pool_size
        self._engine: Engine | None = None
        self._checked: set[str] = set()
        self._guard = threading.Lock()

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def engine(self) -> Engine:
        with self._guard:
            if self._engine is None:
                self._engine = create_engine(
                    self._url,
                    pool_size=self._pool_size,
                    pool_pre_ping=True,
                    # No server-side prepared statements: psycopg prepares a statement after
                    # its fifth run, and PostgreSQL then may plan it once for any value. Our
                    # plans depend on the values (the query vector for the HNSW scan, which
                    # terms the lexical budget kept): the dense step took 78 ms p50 at 10k
                    # passages on a generic plan, 0.9 ms planned for each query.
                    connect_args={"prepare_threshold": None},
                )
            return self._engine

    def organization(self, organization_id: str) -> PgOrganizationKnowledge:
        check_organization_id(organization_id)
        with self._guard:
            checked = organization_id in self._checked
        if not checked:
            self._check_model(organization_id)
            with self._guard:
                self._checked.add(organization_id)
        return PgOrganizationKnowledge(self, organization_id)

    def _check_model(self, organization_id: str) -> None:
        with self.engine().connect() as db:
            stored = db.execute(
                text(
                    "SELECT embedding_model, embedding_dimension FROM knowledge.organization "
                    "WHERE organization_id = :org"
                ),
                {"org": organization_id},
            ).first()
        wanted = (self._embedder.model_name, self._embedder.dimension)
        if stored is not None and tuple(stored) != wanted:
            raise ReindexRequired(
                f"This organisation's passages were embedded with {stored[0]} ({stored[1]} "
                f"dimensions); the configured model is {wanted[0]} ({wanted[1]}). Re-index the "
                "organisation: `interlude knowledge reindex --org SLUG`."
            )

    def drop_organization(self, organization_id: str) -> None:
        check_organization_id(organization_id)
        with self.engine().begin() as db:
            pg_terms.lock(db, organization_id)
            pg_terms.forget_organization(db, organization_id)
            for table in ("passage", "document", "organization"):
                db.execute(
                    text(f"DELETE FROM knowledge.{table} WHERE organization_id = :org"),  # noqa: S608
                    {"org": organization_id},
                )
        with self._guard:
            self._checked.discard(organization_id)

    def try_own(self) -> bool:
        """Every process may write: PostgreSQL serialises what must be serialised."""
        return True

    def release(self) -> None:
        """Nothing held."""

    def setup(self) -> None:
        """Create the tables and this model's vector index (`interlude knowledge setup`)."""
        with self.engine().begin() as db:
            if not pg_schema.try_enable_vector(db):
                pg_schema.check_ready(db, self._embedder.model_name, self._embedder.dimension)
            pg_schema.install(db, self._embedder.model_name, self._embedder.dimension)

    def prepare(self) -> None:
        with self.engine().connect() as db:
            pg_schema.check_ready(db, self._embedder.model_name, self._embedder.dimension)

    def analyze(self) -> None:
        """Fresh planner statistics for the knowledge tables, after a bulk load (`knowledge
        migrate`): until autovacuum gathers them, plans may read a whole organisation."""
        with self.engine().begin() as db:
            db.execute(text("ANALYZE knowledge.passage, knowledge.document, knowledge.term"))

    def check(self) -> None:
        with self.engine().connect() as db:
            db.execute(text("SELECT 1 FROM knowledge.passage LIMIT 1"))

    def close(self) -> None:
        with self._guard:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()
