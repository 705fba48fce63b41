"""Reads of the PostgreSQL knowledge store: dense, lexical and live passages of one organisation.

Every statement filters on the organisation in SQL. What is formatted into SQL text is a module
constant, an integer dimension, or a model name that `pg_schema.model_literal` validated;
every value from a caller goes as a bound parameter.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from knowledge import pg_schema, pg_terms
from knowledge.catalogue import within_budget
from knowledge.documents import Chunk, DocumentKind
from knowledge.embeddings import Embedder, Vectors

CONFIGS = {"fr": "french", "en": "english"}
# ts_rank's weights for D, C, B, A: the title (A) counts twice the body (B), as in the SQLite
# catalogue's bm25(chunk_fts, 2.0, 1.0).
RANK_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"
COLUMNS = (
    "p.id, p.document_id, p.document_name, p.version, p.position, p.heading_path, p.text, "
    "p.start_offset, p.end_offset, p.kind, p.language, p.skill"
)
LIVE = (
    "JOIN knowledge.document d ON d.organization_id = p.organization_id "
    "AND d.document_id = p.document_id AND d.live_version = p.version"
)
# Postings the lexical step ranks at most: the rarest query terms are kept while their passage
# counts fit (the SQLite catalogue's rule, knowledge.catalogue.within_budget); when even the
# rarest alone holds more, the ranking sees this many of its passages, the first in storage
# order (such a term says little about which passage is meant; the dense side ranks them all).
# Each candidate costs a heap visit (rows are wide: text, tsvector, embedding), 2.5 us when the
# page is in PostgreSQL's buffers and ~20 us when not, as at 100k passages with the default
# 128 MB; ts_rank itself is cheap. Measured at 100k, load average ~9 on 2 cores: lexical step
# p50/p95 37/63 ms with 2,000, 12/22 ms with 1,000. On the labelled set's packs (~140 passages)
# it is never reached, so quality there is unchanged.
POSTINGS_BUDGET = 1_000
# The query side that matches a passage: English terms for English passages, French for the
# rest, as pg_terms.LEXICON counts them.
_SIDES = {"en": "p.language = 'en'", "fr": "p.language <> 'en'"}


def fold_accents(value: str) -> str:
    """What `unaccent` would do, in Python: the same on every server, for passages and queries."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def vector_text(vector: Any) -> str:
    """pgvector's text form (9 significant digits: a float32 round-trips exactly)."""
    return "[" + ",".join(f"{float(x):.9g}" for x in vector) + "]"


def parse_vector(value: str) -> list[float]:
    return [float(x) for x in value.strip("[]").split(",")]


def tsquery_text(lexemes: Sequence[str]) -> str:
    """An OR of lexemes in tsquery syntax, each quoted (never parsed or stemmed again)."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return " | ".join(quoted)


def lexical_sql(kept: Sequence[tuple[str, str]], params: dict[str, Any]) -> str:
    """Passages matching the kept (lexicon, lexeme) terms, each against its language's
    side, with their ts_rank. A side with no term left is not queried; the GIN index serves
    each side's match (one bitmap per side)."""
    sides = {lexicon: [lexeme for side, lexeme in kept if side == lexicon] for lexicon in _SIDES}
    matches, ranks = [], []
    for lexicon, lexemes in sides.items():
        if lexemes:
            params[lexicon] = tsquery_text(lexemes)
            query = f"CAST(:{lexicon} AS tsquery)"
            matches.append(f"({_SIDES[lexicon]} AND p.lexical @@ {query})")
            ranks.append(f"WHEN {_SIDES[lexicon]} THEN {query}")
    # No join on the live pointer (as in `dense`): with one, the planner ran the GIN scan once
    # per document of the organisation (20 ms for 1,900 passages at 10k). Every committed
    # passage is live, and the retriever keeps only what `live_chunks` confirms.
    return (
        f"SELECT p.id, ts_rank('{RANK_WEIGHTS}', p.lexical, CASE {' '.join(ranks)} END) AS score "  # noqa: S608
        f"FROM knowledge.passage p WHERE p.organization_id = :org AND ({' OR '.join(matches)})"
    )


def filters(kinds: Sequence[DocumentKind], skill: str | None, params: dict[str, Any]) -> str:
    sql = ""
    if kinds:
        sql += " AND p.kind = ANY(:kinds)"
        params["kinds"] = [k.value for k in kinds]
    if skill:
        sql += " AND p.skill = :skill"
        params["skill"] = skill
    return sql


def to_chunk(row: Any, organization_id: str) -> Chunk:
    return Chunk(
        id=row[0],
        organization_id=organization_id,
        document_id=row[1],
        document_name=row[2],
        version=row[3],
        position=row[4],
        heading_path=tuple(row[5]),
        text=row[6],
        start=row[7],
        end=row[8],
        kind=DocumentKind(row[9]),
        language=row[10],
        skill=row[11],
    )


def fetch_live(db: Connection, organization_id: str, ids: Sequence[str]) -> dict[str, Chunk]:
    if not ids:
        return {}
    rows = db.execute(
        text(
            f"SELECT {COLUMNS} FROM knowledge.passage p {LIVE} "  # noqa: S608
            "WHERE p.organization_id = :org AND p.id = ANY(:ids)"
        ),
        {"org": organization_id, "ids": list(ids)},
    )
    return {row[0]: to_chunk(row, organization_id) for row in rows}


class PgReader:
    """Reads of one organisation inside one snapshot (a REPEATABLE READ transaction)."""

    def __init__(self, db: Connection, organization_id: str, embedder: Embedder) -> None:
        self._db = db
        self._organization_id = organization_id
        self._embedder = embedder

    def dense(
        self, vector: Vectors, limit: int, kinds: Sequence[DocumentKind], skill: str | None
    ) -> list[tuple[str, float]]:
        dimension = int(self._embedder.dimension)
        # The index's expression (pg_schema.vector_expression): the planner matches it to serve
        # the ORDER BY from the HNSW index.
        distance = f"(p.embedding::vector({dimension})) <=> CAST(:vector AS vector({dimension}))"
        params: dict[str, Any] = {
            "org": self._organization_id,
            "vector": vector_text(vector),
            "limit": limit,
        }
        # The model is a literal, not a parameter: a partial index only serves a query whose
        # WHERE clause implies its predicate, and a generic plan cannot know a parameter's value.
        model = pg_schema.model_literal(self._embedder.model_name)
        # No join on the live pointer here: with one, the planner sorts every passage of the
        # organisation instead of walking the HNSW index (measured: 65 ms at 10k passages).
        # Every committed passage is live (a re-index writes, flips and deletes in one
        # transaction), and the retriever keeps only what `live_chunks` confirms.
        sql = (
            f"SELECT p.id, 1 - ({distance}) FROM knowledge.passage p "  # noqa: S608
            f"WHERE p.organization_id = :org AND p.embedding_model = {model}"
            + filters(kinds, skill, params)
            + f" ORDER BY {distance}, p.id LIMIT :limit"
        )
        # pgvector 0.8: a filtered HNSW scan goes on until `limit` rows pass the filters.
        self._db.execute(
            text("SELECT set_config('hnsw.ef_search', :ef, true)"), {"ef": str(max(40, limit))}
        )
        self._db.execute(text("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)"))
        return [(row[0], float(row[1])) for row in self._db.execute(text(sql), params)]

    def lexical(
        self, query: str, limit: int, kinds: Sequence[DocumentKind], skill: str | None
    ) -> list[tuple[str, float]]:
        frequencies = pg_terms.query_frequencies(
            self._db, self._organization_id, fold_accents(query)
        )
        kept = within_budget(frequencies, POSTINGS_BUDGET)
        if not kept:
            return []
        params: dict[str, Any] = {"org": self._organization_id, "limit": limit}
        sql = lexical_sql(kept, params) + filters(kinds, skill, params)
        # The budget bounds the candidates; the LIMIT here bounds them when the rarest term
        # alone holds more passages than that (then it says little about which one is meant).
        sql = (
            f"SELECT c.id, c.score FROM ({sql} LIMIT {POSTINGS_BUDGET}) c "  # noqa: S608
            "ORDER BY c.score DESC, c.id LIMIT :limit"
        )
        # When the kept terms hold a large share of the passages, the planner prefers reading
        # them all (it prices a tsvector match like an integer comparison): 38 ms at 10k
        # passages where the GIN index took 8, and it grows with the organisation. For the
        # rest of this read-only transaction, whose other statements are key lookups.
        self._db.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))
        return [(row[0], float(row[1])) for row in self._db.execute(text(sql), params)]

    def live_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        return fetch_live(self._db, self._organization_id, ids)

    def common_terms(self, candidates: Collection[str], share: float) -> set[str]:
        """Counted on the tsvector lexemes: each term stemmed by both configurations (the SQLite
        catalogue counts its own normalised terms; both strip plural endings)."""
        return pg_terms.common(self._db, self._organization_id, candidates, share)


def passage_row(org: str, chunk: Chunk, vector: Any, model: str) -> dict[str, Any]:
    """The bound parameters of one passage's INSERT (knowledge/pg.py)."""
    return {
        "org": org,
        "id": chunk.id,
        "document_id": chunk.document_id,
        "document_name": chunk.document_name,
        "version": chunk.version,
        "position": chunk.position,
        "heading_path": list(chunk.heading_path),
        "text": chunk.text,
        "start": chunk.start,
        "end": chunk.end,
        "kind": chunk.kind.value,
        "language": chunk.language,
        "skill": chunk.skill,
        "config": CONFIGS.get(chunk.language, "simple"),
        "title": fold_accents(" ".join(chunk.heading_path)),
        "body": fold_accents(chunk.text),
        "model": model,
        "embedding": vector_text(vector),
    }
