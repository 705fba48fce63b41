"""The knowledge base on disk: Chroma vectors and per-organisation catalogues under one folder.

Writes take a file lock, because Chroma is thread-safe but not process-safe: the server and a
CLI ingest may both run, and only one may write at a time.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from chromadb.errors import NotFoundError
from filelock import FileLock, Timeout
from opentelemetry.trace import Tracer

from knowledge.catalogue import Catalogue
from knowledge.chunking import chunk_document
from knowledge.documents import Chunk, DocumentKind, SourceDocument
from knowledge.embeddings import Embedder
from knowledge.retrieval import PassageReader, Retriever
from knowledge.store import (
    IndexedDocument,
    LivePassages,
    check_organization_id,
    embed_chunks,
)
from knowledge.vectors import VectorIndex, collection_name, open_client

WRITE_LOCK_TIMEOUT_S = 300


class KnowledgeBusy(RuntimeError):
    """Another process holds the write lock for too long."""


class OrganizationKnowledge:
    """Indexes and retrieval for one organisation."""

    def __init__(self, base: KnowledgeBase, organization_id: str) -> None:
        self._base = base
        self.organization_id = organization_id
        self.catalogue = Catalogue(
            base.root / "orgs" / organization_id / "catalogue.sqlite", organization_id
        )
        self.vectors = VectorIndex(base.client(), organization_id, base.embedder)

    @property
    def embedder(self) -> Embedder:
        return self._base.embedder

    def retriever(self) -> Retriever:
        return Retriever(self, self._base.embedder, tracer=self._base.tracer, store="chroma")

    @contextmanager
    def reading(self) -> Iterator[PassageReader]:
        # Chroma is queried inside the catalogue's snapshot: dense ids of a version made live
        # after it are not live in it, and the retriever searches again (see ATTEMPTS).
        with self.catalogue.snapshot():
            yield self

    def dense(
        self, vector: Any, limit: int, kinds: Sequence[DocumentKind], skill: str | None
    ) -> list[tuple[str, float]]:
        return self.vectors.query(vector, limit, kinds, skill)

    def lexical(
        self, query: str, limit: int, kinds: Sequence[DocumentKind], skill: str | None
    ) -> list[tuple[str, float]]:
        return self.catalogue.search(query, limit, kinds, skill)

    def live_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        return self.catalogue.live_chunks(ids)

    def common_terms(self, candidates: Collection[str], share: float) -> set[str]:
        total = self.catalogue.count_live()
        frequencies = self.catalogue.document_frequencies(list(candidates))
        return {t for t, count in frequencies.items() if count >= share * total}

    def count_live(self) -> int:
        return self.catalogue.count_live()

    def export_live(self, batch: int = 500) -> Iterator[LivePassages]:
        ids = self.catalogue.live_ids()
        for offset in range(0, len(ids), batch):
            chunks = self.catalogue.live_chunks(ids[offset : offset + batch])
            found = [chunks[i] for i in ids[offset : offset + batch] if i in chunks]
            vectors = self.vectors.get([c.id for c in found])
            yield LivePassages(found, vectors)

    def import_live(self, passages: LivePassages) -> None:
        with self._base.write_lock():
            self.catalogue.add_chunks(passages.chunks)
            self.vectors.upsert(
                [c.id for c in passages.chunks],
                passages.vectors,
                [_metadata(c) for c in passages.chunks],
            )
            for document_id, version in {(c.document_id, c.version) for c in passages.chunks}:
                self.catalogue.set_live(document_id, version)
                self._drop_stale(document_id)

    def index_document(
        self,
        document: SourceDocument,
        *,
        document_id: str,
        version: int,
        progress: Callable[[int], None] | None = None,
    ) -> IndexedDocument:
        """Index a new version; it replaces the previous one atomically for readers."""
        chunks = chunk_document(
            document, organization_id=self.organization_id, document_id=document_id, version=version
        )
        vectors = embed_chunks(self._base.embedder, chunks, progress)
        with self._base.write_lock():
            self.catalogue.add_chunks(chunks)
            self.vectors.upsert([c.id for c in chunks], vectors, [_metadata(c) for c in chunks])
            self.catalogue.set_live(document_id, version)
            self._drop_stale(document_id)
        return IndexedDocument(document_id, version, len(chunks))

    def remove_document(self, document_id: str) -> None:
        with self._base.write_lock():
            self.catalogue.set_live(document_id, None)  # gone for readers at once
            self._drop_stale(document_id)
            self.catalogue.forget_document(document_id)

    def _drop_stale(self, document_id: str) -> None:
        stale = self.catalogue.stale_chunk_ids(document_id)
        self.vectors.delete(stale)
        self.catalogue.delete_chunks(stale)


def _metadata(chunk: Chunk) -> dict[str, Any]:
    return {
        "document_id": chunk.document_id,
        "version": chunk.version,
        "kind": chunk.kind.value,
        "skill": chunk.skill,
        "language": chunk.language,
    }


class KnowledgeBase:
    def __init__(self, root: Path, embedder: Embedder, *, tracer: Tracer | None = None) -> None:
        """`tracer`: each search is a span (store, mode, hits; never the query)."""
        self.root = root
        self.embedder = embedder
        self.tracer = tracer
        self._client: Any = None
        self._orgs: dict[str, OrganizationKnowledge] = {}
        self._guard = threading.Lock()
        self._lock = FileLock(str(root / "write.lock"), timeout=WRITE_LOCK_TIMEOUT_S)
        self._owner = FileLock(str(root / "owner.lock"), timeout=0)

    def try_own(self) -> bool:
        """Become the one process that writes vectors here, if no other process is.

        Chroma keeps each collection's index in memory and does not see another process's
        writes: a server must own its directory, and other processes must leave indexing to it
        (`interlude knowledge ingest` then queues documents for the server's worker).
        """
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._owner.acquire()
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self._owner.is_locked:
            self._owner.release()

    def prepare(self) -> None:
        """Nothing to check before serving: the folder and collections are made on first use."""

    def check(self) -> None:
        self.client()

    def close(self) -> None:
        with self._guard:
            handles = list(self._orgs.values())
            self._orgs.clear()
        for handle in handles:
            handle.catalogue.close()

    def client(self) -> Any:
        with self._guard:
            if self._client is None:
                self._client = open_client(self.root / "chroma")
            return self._client

    def organization(self, organization_id: str) -> OrganizationKnowledge:
        check_organization_id(organization_id)
        with self._guard:
            found = self._orgs.get(organization_id)
        if found is None:
            found = OrganizationKnowledge(self, organization_id)
            with self._guard:
                found = self._orgs.setdefault(organization_id, found)
        return found

    def drop_organization(self, organization_id: str) -> None:
        """Delete an organisation's vectors and catalogue (re-index, or the organisation leaves)."""
        check_organization_id(organization_id)
        with self.write_lock():
            with self._guard:
                handle = self._orgs.pop(organization_id, None)
            if handle is not None:
                handle.catalogue.close()
            # Only an absent collection (never indexed, or already dropped) means nothing to
            # drop; any other failure must stop us before the catalogue goes and leaves vectors
            # that no catalogue describes.
            with suppress(NotFoundError):
                self.client().delete_collection(collection_name(organization_id))
            folder = self.root / "orgs" / organization_id
            if folder.exists():
                shutil.rmtree(folder)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self._lock.acquire()
        except Timeout:
            raise KnowledgeBusy(
                f"Another process has been writing to {self.root} for over "
                f"{WRITE_LOCK_TIMEOUT_S} s; try again when its ingestion ends."
            ) from None
        try:
            yield
        finally:
            self._lock.release()
