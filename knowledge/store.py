"""What the application needs from a knowledge store, whichever engine holds it.

Two implementations: `knowledge.base.KnowledgeBase` (Chroma + a SQLite catalogue per
organisation, the embedded default) and `knowledge.pg.PgKnowledgeStore` (PostgreSQL with
pgvector, for several processes and machines). The app is written against these protocols, so
chat, plans, briefs and search do not know which one runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from knowledge.chunking import embedding_text
from knowledge.documents import Chunk, SourceDocument
from knowledge.embeddings import Embedder, Vectors
from knowledge.retrieval import Retriever

_ORG_ID = re.compile(r"^[0-9a-fA-F-]{8,64}$")
EMBED_BATCH = 64


def check_organization_id(organization_id: str) -> None:
    """An organisation id names a folder (Chroma) or a key (PostgreSQL): nothing else passes."""
    if not _ORG_ID.match(organization_id):
        raise ValueError(f"Not an organisation id: {organization_id!r}")


def embed_chunks(
    embedder: Embedder, chunks: Sequence[Chunk], progress: Callable[[int], None] | None = None
) -> Vectors:
    """The chunks' vectors, EMBED_BATCH at a time, `progress` told after each batch."""
    parts = []
    for offset in range(0, len(chunks), EMBED_BATCH):
        batch = chunks[offset : offset + EMBED_BATCH]
        parts.append(embedder.embed([embedding_text(c) for c in batch]))
        if progress:
            progress(len(batch))
    if not parts:
        return np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.concatenate(parts)


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    document_id: str
    version: int
    chunks: int


@dataclass(frozen=True, slots=True)
class LivePassages:
    """A batch of one organisation's live passages with their vectors (moving between stores)."""

    chunks: list[Chunk]
    vectors: Vectors


class OrganizationStore(Protocol):
    """Indexes and retrieval for one organisation."""

    @property
    def organization_id(self) -> str: ...

    @property
    def embedder(self) -> Embedder: ...

    def retriever(self) -> Retriever: ...

    def index_document(
        self,
        document: SourceDocument,
        *,
        document_id: str,
        version: int,
        progress: Callable[[int], None] | None = None,
    ) -> IndexedDocument:
        """Index a new version; it replaces the previous one atomically for readers."""
        ...

    def remove_document(self, document_id: str) -> None: ...

    def live_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks among `ids` that are live; others (replaced, deleted) are left out."""
        ...

    def count_live(self) -> int: ...

    def export_live(self, batch: int = 500) -> Iterator[LivePassages]:
        """Every live passage with its stored vector, in batches (`knowledge migrate`)."""
        ...

    def import_live(self, passages: LivePassages) -> None:
        """Store passages made elsewhere as live, ids and vectors kept (`knowledge migrate`).

        Each document's passages must come in one batch: the document's live version flips to
        theirs, and its other passages go.
        """
        ...


# Runtime-checkable: Litestar validates a handler's dependencies with isinstance.
@runtime_checkable
class KnowledgeStore(Protocol):
    @property
    def embedder(self) -> Embedder: ...

    def organization(self, organization_id: str) -> OrganizationStore: ...

    def drop_organization(self, organization_id: str) -> None:
        """Delete an organisation's passages (re-index, or the organisation leaves)."""
        ...

    def try_own(self) -> bool:
        """Whether this process may write (an embedded store has one writer process)."""
        ...

    def release(self) -> None: ...

    def prepare(self) -> None:
        """Check at startup that the store can serve; raise with what to do if not."""
        ...

    def check(self) -> None:
        """Raise if the store does not answer now (readiness)."""
        ...

    def close(self) -> None: ...
