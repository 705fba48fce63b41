"""One organisation's chunk catalogue: passage text and spans, the BM25 index (SQLite FTS5),
and which version of each document is live.

The live-version pointer is what makes re-ingestion atomic for readers: new chunks are written
first (not yet live), the pointer flips in one transaction, then old chunks are deleted. Every
search joins on it, so it never sees two versions of a document, nor none.
"""

from __future__ import annotations

import re
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from knowledge.documents import Chunk, DocumentKind
from knowledge.errors import ReindexRequired

_SCHEMA = """
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS document (
    document_id TEXT PRIMARY KEY,
    live_version INTEGER
);
CREATE TABLE IF NOT EXISTS chunk (
    rowid INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    document_id TEXT NOT NULL,
    document_name TEXT NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER NOT NULL,
    heading_path TEXT NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    skill TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunk_document ON chunk(document_id, version);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_terms USING fts5vocab(chunk_fts, 'row');
"""
# Bumped when what is indexed changes; an older catalogue must be rebuilt (`reindex`).
FORMAT_VERSION = 1
# BM25 over an OR query scores every passage holding any term, so common terms cost the most
# while weighing the least. Terms are taken rarest first until this many postings would be
# scored (the rarest term always). Measured at 100k passages: p95 of the lexical step fell from
# 200 ms to 40 ms; on the sample packs (~140 passages) the budget is never reached.
POSTINGS_BUDGET = 20_000
# A term as a store counts it: a normalised word here, (lexicon, lexeme) in PostgreSQL.
Term = TypeVar("Term")
_PATH_SEPARATOR = "\x1f"
_WORD = re.compile(r"\w+", re.UNICODE)
# Words too common to rank by (French and English).
STOP_WORDS = frozenset(
    "le la les un une des du de d l et est sont dans pour avec sur pas que qui quoi au aux "
    "ce cette ces nous vous ils elles il elle on se sa son ses leur leurs mais ou où donc "
    "être avoir fait comme plus très aussi entre chaque notre nos votre vos quand sans je "
    "tu me te mon ma mes ton ta tes en y a à comment pourquoi quel quelle quels quelles ne "
    "the a an and is are in for with on not that which who what to of this these those we "
    "you they it its their but or so be have has do does as more very also between each our "
    "your when without from at by how why i me my he she them his her was were can could "
    "would should will about into than then there here".split()
)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """Content words, accent-folded, plural and feminine endings stripped (French and English).

    The same function makes what is indexed and what is searched, so `équipes` finds `équipe`.
    """
    found = []
    for word in _WORD.findall(text):
        folded = _fold(word)
        if folded in STOP_WORDS or len(folded) < 2 or folded.isdigit():
            continue
        if len(folded) > 4:
            folded = re.sub(r"(?:es|s|x|e)$", "", folded)
        found.append(folded)
    return found


def query_terms(text: str) -> list[str]:
    return list(dict.fromkeys(terms(text)))


def within_budget(frequency: dict[Term, int], budget: int) -> list[Term]:
    """The terms to rank by: rarest first, until `budget` postings would be scored (the rarest
    term always, whatever its count); terms no passage holds are left out."""
    kept: list[Term] = []
    spent = 0
    for term in sorted((t for t in frequency if frequency[t] > 0), key=lambda t: frequency[t]):
        if kept and spent + frequency[term] > budget:
            break
        kept.append(term)
        spent += frequency[term]
    return kept


class Catalogue:
    def __init__(self, path: Path, organization_id: str) -> None:
        self.organization_id = organization_id
        self._path = path
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        existing = path.exists() and path.stat().st_size > 0
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if existing and version != FORMAT_VERSION:
            raise ReindexRequired(
                f"The passage index at {path} has format {version}, this version reads "
                f"{FORMAT_VERSION}. Rebuild it: `interlude knowledge reindex --org SLUG`."
            )
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={FORMAT_VERSION}")

    @property
    def _db(self) -> sqlite3.Connection:
        """This thread's connection. Sharing one across threads would let a reader run inside
        a writer's open transaction and see half of it; with one each (and WAL), every read
        sees the last committed state."""
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self._path, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA busy_timeout=10000")
            self._local.connection = connection
            with self._connections_lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        with self._connections_lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    def live_version(self, document_id: str) -> int | None:
        row = self._db.execute(
            "SELECT live_version FROM document WHERE document_id = ?", (document_id,)
        ).fetchone()
        return None if row is None else row[0]

    def add_chunks(self, chunks: Sequence[Chunk]) -> None:
        """Write chunks (not yet live). Their FTS rows share the chunk's rowid."""
        with self._transaction():
            for chunk in chunks:
                title, body = indexed_fields(chunk)
                cursor = self._db.execute(
                    "INSERT OR REPLACE INTO chunk (id, document_id, document_name, version, "
                    "position, heading_path, text, start, end, kind, language, skill) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        chunk.id,
                        chunk.document_id,
                        chunk.document_name,
                        chunk.version,
                        chunk.position,
                        _PATH_SEPARATOR.join(chunk.heading_path),
                        chunk.text,
                        chunk.start,
                        chunk.end,
                        chunk.kind.value,
                        chunk.language,
                        chunk.skill,
                    ),
                )
                self._db.execute(
                    "INSERT INTO chunk_fts (rowid, title, body) VALUES (?, ?, ?)",
                    (cursor.lastrowid, title, body),
                )

    def set_live(self, document_id: str, version: int | None) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO document (document_id, live_version) VALUES (?, ?) "
                "ON CONFLICT(document_id) DO UPDATE SET live_version = excluded.live_version",
                (document_id, version),
            )

    def stale_chunk_ids(self, document_id: str) -> list[str]:
        """Chunks of this document that are not of its live version."""
        rows = self._db.execute(
            "SELECT c.id FROM chunk c LEFT JOIN document d ON d.document_id = c.document_id "
            "WHERE c.document_id = ? AND (d.live_version IS NULL OR c.version != d.live_version)",
            (document_id,),
        )
        return [r[0] for r in rows]

    def delete_chunks(self, ids: Iterable[str]) -> None:
        with self._transaction():
            for chunk_id in ids:
                row = self._db.execute(
                    "SELECT rowid, heading_path, text FROM chunk WHERE id = ?", (chunk_id,)
                ).fetchone()
                if row is None:
                    continue
                # A contentless FTS5 table deletes a row by repeating what was indexed.
                self._db.execute(
                    "INSERT INTO chunk_fts (chunk_fts, rowid, title, body) "
                    "VALUES ('delete', ?, ?, ?)",
                    (row[0], *_indexed(row[1], row[2])),
                )
                self._db.execute("DELETE FROM chunk WHERE rowid = ?", (row[0],))

    def forget_document(self, document_id: str) -> None:
        with self._transaction():
            self._db.execute("DELETE FROM document WHERE document_id = ?", (document_id,))

    def search(
        self, query: str, limit: int, kinds: Sequence[DocumentKind] = (), skill: str | None = None
    ) -> list[tuple[str, float]]:
        """Live chunk ids ranked by BM25 (best first), with the BM25 score (higher is better)."""
        match = self._match(query)
        if match is None:
            return []
        sql = (
            "SELECT c.id, -bm25(chunk_fts, 2.0, 1.0) AS score FROM chunk_fts "
            "JOIN chunk c ON c.rowid = chunk_fts.rowid "
            "JOIN document d ON d.document_id = c.document_id AND d.live_version = c.version "
            "WHERE chunk_fts MATCH ?"
        )
        params: list[object] = [match]
        if kinds:
            sql += f" AND c.kind IN ({','.join('?' * len(kinds))})"
            params += [k.value for k in kinds]
        if skill:
            sql += " AND c.skill = ?"
            params.append(skill)
        sql += " ORDER BY bm25(chunk_fts, 2.0, 1.0) LIMIT ?"
        params.append(limit)
        return [(row[0], float(row[1])) for row in self._db.execute(sql, params)]

    def _match(self, query: str) -> str | None:
        """An FTS5 MATCH expression over the query's informative terms."""
        wanted = query_terms(query)
        if not wanted:
            return None
        kept = within_budget(self.document_frequencies(wanted), POSTINGS_BUDGET)
        if not kept:
            return None
        return " OR ".join(f'"{term}"' for term in kept)

    def document_frequencies(self, terms: Sequence[str]) -> dict[str, int]:
        """How many live passages hold each term (normalised terms, see `terms`), in one
        query (a chat turn's search asks for a dozen terms: one query each was half a
        millisecond of the turn)."""
        frequencies = dict.fromkeys(terms, 0)
        for start in range(0, len(terms), 500):  # within SQLite's limit on parameters
            chunk = list(terms[start : start + 500])
            placeholders = ",".join("?" * len(chunk))  # only placeholders are formatted into SQL
            rows = self._db.execute(
                f"SELECT term, doc FROM chunk_terms WHERE term IN ({placeholders})",  # noqa: S608
                chunk,
            )
            frequencies.update((term, int(doc)) for term, doc in rows)
        return frequencies

    def live_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks among `ids` that are live; others (replaced, deleted) are left out."""
        if not ids:
            return {}
        placeholders = ",".join("?" * len(ids))  # only placeholders are formatted into SQL
        rows = self._db.execute(
            "SELECT c.id, c.document_id, c.document_name, c.version, c.position, "  # noqa: S608
            "c.heading_path, c.text, c.start, c.end, c.kind, c.language, c.skill FROM chunk c "
            "JOIN document d ON d.document_id = c.document_id AND d.live_version = c.version "
            f"WHERE c.id IN ({placeholders})",
            list(ids),
        )
        return {row[0]: _chunk(row, self) for row in rows}

    def live_ids(self) -> list[str]:
        rows = self._db.execute(
            "SELECT c.id FROM chunk c JOIN document d ON d.document_id = c.document_id "
            "AND d.live_version = c.version ORDER BY c.document_id, c.position"
        )
        return [row[0] for row in rows]

    def count_live(self) -> int:
        row = self._db.execute(
            "SELECT count(*) FROM chunk c JOIN document d ON d.document_id = c.document_id "
            "AND d.live_version = c.version"
        ).fetchone()
        return int(row[0])

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)

    def snapshot(self) -> _Transaction:
        """Reads inside see one committed state (WAL snapshot isolation)."""
        return _Transaction(self._db, "BEGIN DEFERRED")


def _indexed(heading_path: str, text: str) -> tuple[str, str]:
    """What the FTS index holds for a chunk: its normalised terms (see `terms`)."""
    return " ".join(terms(heading_path.replace(_PATH_SEPARATOR, " "))), " ".join(terms(text))


def indexed_fields(chunk: Chunk) -> tuple[str, str]:
    return _indexed(_PATH_SEPARATOR.join(chunk.heading_path), chunk.text)


def _chunk(row: tuple[object, ...], catalogue: Catalogue) -> Chunk:
    return Chunk(
        id=str(row[0]),
        organization_id=catalogue.organization_id,
        document_id=str(row[1]),
        document_name=str(row[2]),
        version=int(row[3]),  # type: ignore[call-overload]
        position=int(row[4]),  # type: ignore[call-overload]
        heading_path=tuple(str(row[5]).split(_PATH_SEPARATOR)),
        text=str(row[6]),
        start=int(row[7]),  # type: ignore[call-overload]
        end=int(row[8]),  # type: ignore[call-overload]
        kind=DocumentKind(str(row[9])),
        language=str(row[10]),
        skill=str(row[11]),
    )


class _Transaction:
    def __init__(self, db: sqlite3.Connection, begin: str = "BEGIN IMMEDIATE") -> None:
        self._db = db
        self._begin = begin

    def __enter__(self) -> None:
        self._db.execute(self._begin)

    def __exit__(self, exc_type: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if exc_type else "COMMIT")
