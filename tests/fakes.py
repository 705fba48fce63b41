"""Test doubles for models. Used by tests only; never shipped as a default."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from knowledge.embeddings import Vectors


class HashingEmbedder:
    """Deterministic bag-of-words vectors: enough to exercise stores, not to judge quality."""

    def __init__(self, model_name: str = "test-hashing", dimension: int = 64) -> None:
        self.model_name = model_name
        self.dimension = dimension
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                bucket = int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dimension
                vectors[row, bucket] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)
