"""Hybrid retrieval: BM25 and dense results fused by reciprocal rank fusion.

A `Retriever` is bound to one organisation's indexes when it is built; there is no argument
through which a caller could name another organisation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from knowledge.catalogue import Catalogue
from knowledge.documents import Chunk, DocumentKind
from knowledge.embeddings import Embedder
from knowledge.vectors import VectorIndex

Mode = Literal["hybrid", "dense", "lexical"]
RRF_K = 60  # the constant of Cormack et al. (2009); damps the weight of top ranks
CANDIDATES_PER_RESULT = 4


@dataclass(frozen=True, slots=True)
class Passage:
    chunk: Chunk
    score: float
    dense_rank: int | None
    lexical_rank: int | None

    @property
    def chunk_id(self) -> str:
        return self.chunk.id


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = RRF_K
) -> list[tuple[str, float]]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


class Retriever:
    def __init__(self, catalogue: Catalogue, vectors: VectorIndex, embedder: Embedder) -> None:
        self._catalogue = catalogue
        self._vectors = vectors
        self._embedder = embedder

    @property
    def organization_id(self) -> str:
        return self._catalogue.organization_id

    def search(
        self,
        query: str,
        k: int = 5,
        *,
        kinds: Sequence[DocumentKind] = (),
        skill: str | None = None,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        if not query.strip() or k <= 0:
            return []
        pool = k * CANDIDATES_PER_RESULT
        dense: list[str] = []
        lexical: list[str] = []
        if mode in ("hybrid", "dense"):
            vector = self._embedder.embed([query])[0]
            dense = [i for i, _ in self._vectors.query(vector, pool, kinds, skill)]
        if mode in ("hybrid", "lexical"):
            lexical = [i for i, _ in self._catalogue.search(query, pool, kinds, skill)]
        fused = reciprocal_rank_fusion([r for r in (dense, lexical) if r])
        live = self._catalogue.live_chunks([i for i, _ in fused])
        dense_rank = {chunk_id: rank for rank, chunk_id in enumerate(dense, start=1)}
        lexical_rank = {chunk_id: rank for rank, chunk_id in enumerate(lexical, start=1)}
        passages = [
            Passage(live[i], score, dense_rank.get(i), lexical_rank.get(i))
            for i, score in fused
            if i in live  # replaced or deleted meanwhile: never returned
        ]
        return passages[:k]
