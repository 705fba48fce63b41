"""What the safety classifier reads of a text (agents/safety/features.py)."""

from __future__ import annotations

import numpy as np

from agents.safety.features import SPARSE_DIMENSION, features, word_pairs


def _columns(text: str) -> set[int]:
    return set(word_pairs([text]).indices.tolist())


def test_word_pairs_carry_a_phrase_wherever_it_stands_and_only_in_its_order() -> None:
    phrase = _columns("en finir")
    assert len(phrase) == 1
    assert phrase <= _columns("Je n'en peux plus, je veux en finir ce soir")
    assert not phrase & _columns("finir en beauté")  # the same words, the other way round
    # Read as the rules read text: case and accents do not matter.
    assert _columns("Tout Arrêter") == _columns("tout arreter")


def test_a_text_of_one_word_has_no_pair_and_an_empty_row() -> None:
    rows = word_pairs(["merci", ""])
    assert rows.shape[0] == 2
    assert rows.nnz == 0


def test_the_two_blocks_multiply_as_one_dense_matrix() -> None:
    texts = ["Je veux en finir.", "My manager never gives feedback", "ok"]
    embeddings = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    rows = features(embeddings, texts)
    weights = np.random.default_rng(1).normal(size=(4 + SPARSE_DIMENSION, 2)).astype(np.float32)

    dense = np.hstack([embeddings, rows.ngrams.toarray()])

    assert rows.shape == (3, 4 + SPARSE_DIMENSION)
    np.testing.assert_allclose(rows @ weights, dense @ weights, rtol=1e-4, atol=1e-4)
    # Each sparse block is unit length: the character n-grams, then the word pairs.
    norms = np.linalg.norm(rows.ngrams.toarray(), axis=1) ** 2
    np.testing.assert_allclose(norms, [2.0, 2.0, 1.0], rtol=1e-5)
