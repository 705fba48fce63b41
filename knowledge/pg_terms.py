"""Term statistics of the PostgreSQL knowledge store: how many passages of an organisation hold
each lexeme, kept in the transactions that write the passages.

Why a table: the lexical step ranks only the rarest query terms within a postings budget (the
SQLite catalogue's rule, `knowledge.catalogue.within_budget`), so it must know each term's
document frequency before it ranks. Counting them on the passages costs a GIN scan per term,
as much as the ranking it is meant to save (one COUNT per term took 5-40 ms at 10k passages);
here it is one primary-key read per term.

A row is (organisation, lexicon, lexeme, passages). The lexicon is the side of a query that
matches the passage: `en` for English passages, `fr` for the others (knowledge/pg_search.py
matches non-English passages with the French terms). The empty lexeme, which no tsvector holds,
counts the passages themselves, so shares need no COUNT either.

Every committed passage is live (a re-index writes, flips and deletes in one transaction), so
the counts are over the table's rows, and a reader's snapshot sees counts and passages agree.
Writers of one organisation take its terms lock, after their documents' locks (the same order
everywhere: no deadlock), so two of them never update the same counts crosswise.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

TABLE = "knowledge.term"
CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    organization_id TEXT NOT NULL,
    lexicon TEXT NOT NULL,
    lexeme TEXT NOT NULL,
    passages INTEGER NOT NULL,
    PRIMARY KEY (organization_id, lexicon, lexeme)
)"""
# Which query side matches a passage (pg_search: English terms for `en`, French otherwise).
LEXICON = "CASE WHEN p.language = 'en' THEN 'en' ELSE 'fr' END"
# Each passage's lexemes, and '' once per passage (the passage count).
_COUNTED = (
    f"SELECT p.organization_id, {LEXICON} AS lexicon, l.lexeme, count(*) AS passages "  # noqa: S608
    "FROM knowledge.passage p, unnest(array_append(tsvector_to_array(p.lexical), '')) "
    "AS l(lexeme) WHERE {where} GROUP BY 1, 2, 3"
)
BACKFILL = f"INSERT INTO {TABLE} " + _COUNTED.format(where="TRUE")
# Rows in key order: the row locks of an upsert are taken in one order (the terms lock aside).
_ADD = (
    f"INSERT INTO {TABLE} AS t SELECT organization_id, lexicon, lexeme, :sign * passages "  # noqa: S608
    "FROM ("
    + _COUNTED.format(where="p.organization_id = :org AND p.document_id = ANY(:documents)")
    + ") c ORDER BY 1, 2, 3 ON CONFLICT (organization_id, lexicon, lexeme) "
    "DO UPDATE SET passages = t.passages + excluded.passages"
)
# Both configurations' lexemes of a text, with their lexicon.
_LEXEMES = (
    "SELECT 'fr' AS lexicon, unnest(tsvector_to_array(to_tsvector('french', {text}))) AS lexeme "
    "UNION ALL "
    "SELECT 'en', unnest(tsvector_to_array(to_tsvector('english', {text})))"
)
_QUERY_FREQUENCIES = (
    "SELECT l.lexicon, l.lexeme, coalesce(t.passages, 0) FROM ("  # noqa: S608 (constants)
    + _LEXEMES.format(text=":q")
    + f") l LEFT JOIN {TABLE} t ON t.organization_id = :org AND t.lexicon = l.lexicon "
    "AND t.lexeme = l.lexeme"
)
# Per candidate and lexicon, the rarest of its lexemes (a word the parser splits matches only
# where all its parts are; the rarest bounds that), summed over the two lexicons.
_CANDIDATE_FREQUENCIES = (
    "SELECT c.term, coalesce(sum(f.passages), 0) FROM unnest(CAST(:terms AS text[])) "  # noqa: S608
    "AS c(term) LEFT JOIN LATERAL (SELECT l.lexicon, min(coalesce(t.passages, 0)) AS passages "
    "FROM (" + _LEXEMES.format(text="c.term") + f") l LEFT JOIN {TABLE} t "
    "ON t.organization_id = :org AND t.lexicon = l.lexicon AND t.lexeme = l.lexeme "
    "GROUP BY l.lexicon) f ON TRUE GROUP BY c.term"
)
_TOTAL = (
    f"SELECT coalesce(sum(passages), 0) FROM {TABLE} WHERE organization_id = :org AND lexeme = ''"  # noqa: S608
)


def lock(db: Connection, organization_id: str) -> None:
    """Serialise this organisation's count updates until the transaction ends. The two-key
    form: its keys never meet the one-key document locks."""
    db.execute(
        text("SELECT pg_advisory_xact_lock(hashtext('interlude.knowledge.term'), hashtext(:org))"),
        {"org": organization_id},
    )


def count(db: Connection, organization_id: str, documents: Sequence[str], sign: int) -> None:
    """Add (sign 1) or take away (sign -1) the documents' current passages from the counts."""
    if documents:
        db.execute(text(_ADD), {"org": organization_id, "documents": list(documents), "sign": sign})


def forget_unused(db: Connection, organization_id: str) -> None:
    db.execute(
        text(f"DELETE FROM {TABLE} WHERE organization_id = :org AND passages <= 0"),  # noqa: S608
        {"org": organization_id},
    )


def forget_organization(db: Connection, organization_id: str) -> None:
    db.execute(
        text(f"DELETE FROM {TABLE} WHERE organization_id = :org"),  # noqa: S608
        {"org": organization_id},
    )


def query_frequencies(
    db: Connection, organization_id: str, folded_query: str
) -> dict[tuple[str, str], int]:
    """{(lexicon, lexeme): passages} for the query's lexemes in both configurations."""
    rows = db.execute(text(_QUERY_FREQUENCIES), {"org": organization_id, "q": folded_query})
    return {(row[0], row[1]): int(row[2]) for row in rows}


def common(
    db: Connection, organization_id: str, candidates: Collection[str], share: float
) -> set[str]:
    """The candidates held by at least `share` of the organisation's passages."""
    if not candidates:
        return set()
    params: dict[str, Any] = {"org": organization_id}
    total = int(db.execute(text(_TOTAL), params).scalar_one())
    if not total:
        return set()
    rows = db.execute(text(_CANDIDATE_FREQUENCIES), {**params, "terms": sorted(candidates)})
    return {row[0] for row in rows if int(row[1]) >= share * total}
