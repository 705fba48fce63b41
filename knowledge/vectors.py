"""Dense vectors in Chroma (`PersistentClient`, offline): one collection per organisation.

We embed ourselves and hand Chroma the vectors; the collection still carries an embedding
function wrapping ours, so nothing in Chroma ever falls back to its downloading default.
The embedding model's name and dimension are stored on the collection: opening it with another
model is refused until the organisation is re-indexed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings as ChromaSettings

from knowledge.documents import DocumentKind
from knowledge.embeddings import Embedder, Vectors
from knowledge.errors import ReindexRequired


class _ChromaEmbedding(EmbeddingFunction[Documents]):
    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "interlude"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> _ChromaEmbedding:
        # Chroma calls this to tell modern from legacy functions. A function rebuilt from the
        # stored config has no model: it refuses to embed rather than let Chroma download one.
        return _ChromaEmbedding(_NoEmbedder())


class _NoEmbedder:
    model_name = "none"
    dimension = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        raise ReindexRequired("Open Interlude collections through the knowledge layer only.")


# Every client on a path must be opened with identical settings (Chroma refuses otherwise).
CHROMA_SETTINGS = ChromaSettings(anonymized_telemetry=False, allow_reset=False, is_persistent=True)


def open_client(path: Path) -> Any:
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=CHROMA_SETTINGS)


def collection_name(organization_id: str) -> str:
    return "org_" + organization_id.replace("-", "")


class VectorIndex:
    """The dense index of one organisation."""

    def __init__(self, client: Any, organization_id: str, embedder: Embedder) -> None:
        self._client = client
        self._embedder = embedder
        self._collection = client.get_or_create_collection(
            collection_name(organization_id),
            embedding_function=_ChromaEmbedding(embedder),
            metadata={
                "hnsw:space": "cosine",
                "embedding_model": embedder.model_name,
                "embedding_dimension": embedder.dimension,
            },
        )
        stored = self._collection.metadata or {}
        if (stored.get("embedding_model"), stored.get("embedding_dimension")) != (
            embedder.model_name,
            embedder.dimension,
        ):
            raise ReindexRequired(
                f"This organisation's passages were embedded with {stored.get('embedding_model')} "
                f"({stored.get('embedding_dimension')} dimensions); the configured model is "
                f"{embedder.model_name} ({embedder.dimension}). Re-index the organisation: "
                "`interlude knowledge reindex --org SLUG`."
            )
        self._batch = min(1_000, int(client.get_max_batch_size()))

    def upsert(
        self, ids: Sequence[str], vectors: Vectors, metadatas: Sequence[dict[str, Any]]
    ) -> None:
        for offset in range(0, len(ids), self._batch):
            end = offset + self._batch
            self._collection.upsert(
                ids=list(ids[offset:end]),
                embeddings=vectors[offset:end],
                metadatas=list(metadatas[offset:end]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        for offset in range(0, len(ids), self._batch):
            self._collection.delete(ids=list(ids[offset : offset + self._batch]))

    def query(
        self,
        vector: Vectors,
        limit: int,
        kinds: Sequence[DocumentKind] = (),
        skill: str | None = None,
    ) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity (higher is better)."""
        conditions: list[dict[str, Any]] = []
        if kinds:
            conditions.append({"kind": {"$in": [k.value for k in kinds]}})
        if skill:
            conditions.append({"skill": skill})
        where = (
            None
            if not conditions
            else conditions[0]
            if len(conditions) == 1
            else {"$and": conditions}
        )
        # Chroma answers fewer than n_results when the collection is small (no count() needed:
        # counting costs ~15 ms per query at 100k vectors).
        result = self._collection.query(
            query_embeddings=vector.reshape(1, -1),
            n_results=limit,
            where=where,
            include=["distances"],
        )
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
        ]

    def get(self, ids: Sequence[str]) -> Vectors:
        """The stored vectors of `ids`, in that order."""
        import numpy as np

        if not ids:
            return np.zeros((0, self._embedder.dimension), dtype=np.float32)
        result = self._collection.get(ids=list(ids), include=["embeddings"])
        by_id = dict(zip(result["ids"], result["embeddings"], strict=True))
        return np.asarray([by_id[i] for i in ids], dtype=np.float32)

    def count(self) -> int:
        return int(self._collection.count())
