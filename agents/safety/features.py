"""What the safety classifier reads of a text: its sentence embedding and its character n-grams.

The embedding carries meaning across wordings and languages; the n-grams carry the words
themselves, misspelt or without accents ("chu pu capable", "suicde", "me recouper"), which a
sentence encoder trained on clean text blurs. On the dev split (out-of-fold, rules on), adding
them raised urgent recall from 0.92 to 0.95 at the same false alerts (2026-12-05).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from agents.safety.rules import normalise
from knowledge.embeddings import Vectors

# Hashed into a fixed width: no vocabulary to ship, and a word never seen still has n-grams.
NGRAM_DIMENSION = 1 << 13
NGRAM_SIZES = (3, 4, 5)
NGRAM_WEIGHT = 1.0  # relative to the unit-length embedding


@lru_cache(maxsize=1 << 16)
def word_buckets(word: str) -> tuple[int, ...]:
    """The hashed n-grams of one word. Kept per word: a learner's words are mostly common
    ones, and hashing them again was a tenth of the guard's time per message."""
    padded = f" {word} "
    return tuple(
        zlib.crc32(padded[start : start + size].encode()) % NGRAM_DIMENSION
        for size in NGRAM_SIZES
        for start in range(max(len(padded) - size + 1, 1))
    )


def char_ngrams(texts: Sequence[str]) -> np.ndarray:
    """One row per text: log counts of the character 3- to 5-grams of its normalised words
    (each word padded with spaces, so starts and ends count), hashed, unit length."""
    rows = np.zeros((len(texts), NGRAM_DIMENSION), dtype=np.float32)
    for i, text in enumerate(texts):
        buckets = [bucket for word in normalise(text).split() for bucket in word_buckets(word)]
        if not buckets:
            continue
        np.add.at(rows[i], buckets, 1.0)
        np.log1p(rows[i], out=rows[i])
        rows[i] /= np.linalg.norm(rows[i])
    return rows


def features(vectors: Vectors, texts: Sequence[str]) -> np.ndarray:
    """The classifier's input: each text's embedding followed by its weighted n-grams."""
    if len(vectors) != len(texts):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    return np.hstack([vectors, NGRAM_WEIGHT * char_ngrams(texts)])
