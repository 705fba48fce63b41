"""Hybrid retrieval: BM25 and dense results fused by their normalised scores.

Fusion is a convex combination of min-max normalised scores (dense weight 0.7). Measured on
evals/datasets/retrieval.jsonl (98 queries, `python -m evals bench retrieval`), it beat reciprocal
rank fusion, which lost recall: on paraphrases the BM25 list is noise, and RRF gives a noisy
rank 1 as much weight as a good one; score normalisation keeps weak lexical evidence weak.

A `Retriever` is bound to one organisation's indexes when it is built; there is no argument
through which a caller could name another organisation. It reads through a `PassageSource`
(Chroma + the SQLite catalogue in knowledge/base.py, or PostgreSQL in knowledge/pg.py), so
fusion and its measured weight are the same whichever store holds the passages.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Literal, Protocol

from opentelemetry.trace import NoOpTracer, Tracer

from knowledge.catalogue import terms
from knowledge.documents import Chunk, DocumentKind
from knowledge.embeddings import Embedder, Vectors

Mode = Literal["hybrid", "dense", "lexical"]
DENSE_WEIGHT = 0.7
CANDIDATES_PER_RESULT = 4
# A phrase whose words each occur in this share of the organisation's passages or more
# ("équipe", "personnes", "team", "customer") says nothing about which passage is meant.
COMMON_SHARE = 1 / 3
# Where a phrase ends: two words on either side of a stop, a comma or a line break are not one.
_CLAUSE = re.compile(r"[^\w\s'’-]+|\n")
# A search that raced with a version swap (its dense candidates went stale between Chroma and
# the catalogue) is run again; lexical results and chunk text already come from one snapshot.
ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Passage:
    chunk: Chunk
    score: float
    dense_rank: int | None
    lexical_rank: int | None
    # Cosine similarity to the query (dense and hybrid modes). Fused scores are relative to one
    # result list; this one is absolute, so agents can tell "nothing relevant" from "weak best".
    similarity: float | None = None

    @property
    def chunk_id(self) -> str:
        return self.chunk.id


def _min_max(scored: Sequence[tuple[str, float]]) -> dict[str, float]:
    if not scored:
        return {}
    values = [score for _, score in scored]
    low, high = min(values), max(values)
    if high == low:
        return {item: 1.0 for item, _ in scored}
    return {item: (score - low) / (high - low) for item, score in scored}


def fuse(
    dense: Sequence[tuple[str, float]],
    lexical: Sequence[tuple[str, float]],
    dense_weight: float = DENSE_WEIGHT,
) -> list[tuple[str, float]]:
    """Items ranked by `w * dense + (1 - w) * lexical`, each score min-max normalised."""
    scores: dict[str, float] = {}
    for item, score in _min_max(dense).items():
        scores[item] = dense_weight * score
    for item, score in _min_max(lexical).items():
        scores[item] = scores.get(item, 0.0) + (1.0 - dense_weight) * score
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


class PassageReader(Protocol):
    """One organisation's passages as of one moment (see `PassageSource.reading`)."""

    def dense(
        self, vector: Vectors, limit: int, kinds: Sequence[DocumentKind], skill: str | None
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with their cosine similarity, best first."""
        ...

    def lexical(
        self, query: str, limit: int, kinds: Sequence[DocumentKind], skill: str | None
    ) -> list[tuple[str, float]]:
        """Live chunk ids ranked by lexical score (higher is better), best first."""
        ...

    def live_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks among `ids` that are live; others (replaced, deleted) are left out."""
        ...

    def common_terms(self, candidates: Collection[str], share: float) -> set[str]:
        """The `candidates` (normalised terms, see `knowledge.catalogue.terms`) held by at
        least `share` of the live passages."""
        ...


class PassageSource(Protocol):
    @property
    def organization_id(self) -> str: ...

    def reading(self) -> AbstractContextManager[PassageReader]:
        """Reads inside see one committed state of the lexical index and the live versions."""
        ...


class Retriever:
    def __init__(
        self,
        source: PassageSource,
        embedder: Embedder,
        *,
        tracer: Tracer | None = None,
        store: str = "",
    ) -> None:
        """`tracer`: each search is a span named `retrieval`, with the store's kind (`store`:
        chroma, postgres), the mode, how many passages were asked for and found, never the
        query nor a passage; its duration is the search's latency, embedding included."""
        self._source = source
        self._embedder = embedder
        self._tracer = tracer or NoOpTracer()
        self._store = store

    @property
    def organization_id(self) -> str:
        return self._source.organization_id

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        kinds: Sequence[DocumentKind] = (),
        skill: str | None = None,
        mode: Mode = "hybrid",
        dense_weight: float = DENSE_WEIGHT,
    ) -> list[Passage]:
        """`dense_weight`: the dense share of a hybrid score (the lexical one is the rest)."""
        if not query.strip() or k <= 0:
            return []
        # No exception's message, as an event or a status: a store's error may quote the query
        # (the agent's span above records the failure's kind).
        with self._tracer.start_as_current_span(
            "retrieval",
            attributes={
                "interlude.retrieval.store": self._store,
                "interlude.retrieval.mode": mode,
                "interlude.retrieval.k": k,
            },
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            vector = self._embedder.embed([query])[0] if mode in ("hybrid", "dense") else None
            for attempt in range(ATTEMPTS):
                passages, raced = self._search_once(
                    query, vector, k, kinds, skill, mode, dense_weight
                )
                if not raced or attempt == ATTEMPTS - 1:
                    break
            span.set_attribute("interlude.retrieval.hits", min(len(passages), k))
            span.set_attribute("interlude.retrieval.attempts", attempt + 1)
            return passages[:k]

    def echoes(self, query: str, chunks: Sequence[Chunk]) -> set[str]:
        """The ids of the chunks that hold a phrase of the query: two content words adjacent in
        one of its clauses (stop words aside: "carton jaune", "point du matin", "red flag"),
        adjacent in one clause of the chunk (heading or text) too, and neither word common in
        this organisation's passages (COMMON_SHARE). BM25 and the encoder weigh words one by
        one; a named ritual or practice the learner repeats is what they miss."""
        wanted = _phrases(query)
        if not wanted or not chunks:
            return set()
        with self._source.reading() as reader:
            common = reader.common_terms({t for pair in wanted for t in pair}, COMMON_SHARE)
        rare = {pair for pair in wanted if not common.intersection(pair)}
        return {
            chunk.id
            for chunk in chunks
            if rare & _phrases("\n".join([*chunk.heading_path, chunk.text]))
        }

    def _search_once(
        self,
        query: str,
        vector: Vectors | None,
        k: int,
        kinds: Sequence[DocumentKind],
        skill: str | None,
        mode: Mode,
        dense_weight: float = DENSE_WEIGHT,
    ) -> tuple[list[Passage], bool]:
        pool = k * CANDIDATES_PER_RESULT
        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        with self._source.reading() as reader:
            if vector is not None:
                dense = reader.dense(vector, pool, kinds, skill)
            if mode in ("hybrid", "lexical"):
                lexical = reader.lexical(query, pool, kinds, skill)
            weight = {"hybrid": dense_weight, "dense": 1.0, "lexical": 0.0}[mode]
            fused = fuse(dense, lexical, weight)
            live = reader.live_chunks([i for i, _ in fused])
        dense_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(dense, start=1)}
        lexical_rank = {chunk_id: rank for rank, (chunk_id, _) in enumerate(lexical, start=1)}
        similarity = dict(dense)
        passages = [
            Passage(live[i], score, dense_rank.get(i), lexical_rank.get(i), similarity.get(i))
            for i, score in fused
            if i in live  # replaced or deleted: never returned
        ]
        raced = any(i not in live for i, _ in dense)
        return passages, raced


@functools.lru_cache(maxsize=4096)
def _phrases(text: str) -> frozenset[tuple[str, str]]:
    """Pairs of adjacent content words (normalised terms) within one clause of `text`. Cached:
    the same passages come back query after query."""
    pairs: set[tuple[str, str]] = set()
    for clause in _CLAUSE.split(text):
        words = terms(clause)
        pairs.update(itertools.pairwise(words))
    return frozenset(pairs)
