"""The safety guard's trained reader kept on disk: loaded when corpus, code and encoder are
those it was trained with, trained again otherwise, and never a reason to fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from agents.safety import cache
from agents.safety import guard as guard_module
from agents.safety.guard import SafetyGuard, cached_reader, corpus_reader, parse_corpus
from tests.fakes import HashingEmbedder

ROWS = [
    ("I want to end my life tonight", "self_harm"),
    ("He said he would beat me up after work", "violence"),
    ("I cry every day before my shift", "distress"),
    ("My manager mocks my accent in every meeting", "harassment"),
    ("Which dose of ibuprofen should I take?", "medical"),
    ("Can I sue my employer for this?", "legal"),
    ("Should I invest my savings in crypto?", "financial"),
    ("How do I prepare my presentation for Tuesday?", "none"),
    ("My colleague keeps interrupting me, what can I say?", "none"),
]


def write_corpus(path: Path, rows: list[tuple[str, str]]) -> Path:
    lines = [json.dumps({"text": t, "language": "en", "label": label}) for t, label in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class CountingEmbedder(HashingEmbedder):
    """Counts the texts embedded: training embeds the whole corpus, a cache hit none of it."""

    def __init__(self) -> None:
        super().__init__()
        self.texts = 0

    def embed(self, texts):  # type: ignore[no-untyped-def]
        self.texts += len(texts)
        return super().embed(texts)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus.jsonl", ROWS)


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("safety-reader-*.npz"))


def test_a_second_process_loads_the_reader_without_training(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "cache"
    trained = cached_reader(CountingEmbedder(), folder, corpus)
    assert len(cache_files(folder)) == 1
    embedder = CountingEmbedder()
    loaded = cached_reader(embedder, folder, corpus)
    assert embedder.texts == 0
    probe = embedder.embed(["I want to end my life"])
    np.testing.assert_array_equal(
        loaded.probabilities(["I want to end my life"], probe),
        trained.probabilities(["I want to end my life"], probe),
    )
    assert loaded.urgent_labels == trained.urgent_labels
    assert loaded.others is not None
    assert trained.others is not None
    np.testing.assert_array_equal(loaded.others, trained.others)


def test_a_changed_corpus_or_encoder_trains_again(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "cache"
    cached_reader(CountingEmbedder(), folder, corpus)
    write_corpus(corpus, [*ROWS, ("I bombed my pitch today", "none")])
    embedder = CountingEmbedder()
    cached_reader(embedder, folder, corpus)
    assert embedder.texts > 0
    assert len(cache_files(folder)) == 2  # one name per corpus: the stale one is never read
    other = CountingEmbedder()
    other.model_name = "another-encoder"
    cached_reader(other, folder, corpus)
    assert other.texts > 0


@pytest.mark.parametrize(
    "damage",
    [b"", b"not a zip file", b"PK\x03\x04 cut short"],
    ids=["empty", "garbage", "truncated"],
)
def test_a_corrupt_file_is_ignored_and_replaced(
    tmp_path: Path, corpus: Path, damage: bytes
) -> None:
    folder = tmp_path / "cache"
    cached_reader(CountingEmbedder(), folder, corpus)
    [path] = cache_files(folder)
    path.write_bytes(damage)
    embedder = CountingEmbedder()
    reader = cached_reader(embedder, folder, corpus)
    assert embedder.texts > 0
    assert reader.classifier.weights.size
    again = CountingEmbedder()
    cached_reader(again, folder, corpus)
    assert again.texts == 0  # the retrained reader replaced the damaged file


def test_a_file_of_another_key_under_this_name_is_ignored(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "cache"
    cached_reader(CountingEmbedder(), folder, corpus)
    [path] = cache_files(folder)
    with np.load(path) as saved:
        arrays = {name: saved[name] for name in saved.files}
    arrays["key"] = np.array("0" * 64)
    with path.open("wb") as handle:
        np.savez(handle, **arrays)
    embedder = CountingEmbedder()
    cached_reader(embedder, folder, corpus)
    assert embedder.texts > 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_an_unwritable_folder_keeps_the_reader_in_memory(tmp_path: Path, corpus: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        reader = cached_reader(CountingEmbedder(), folder, corpus)
    finally:
        folder.chmod(0o700)
    assert reader.classifier.weights.size
    assert not cache_files(folder)


def test_a_folder_that_is_a_file_keeps_the_reader_in_memory(tmp_path: Path, corpus: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    reader = cached_reader(CountingEmbedder(), blocked, corpus)
    assert reader.classifier.weights.size


def test_the_key_follows_corpus_code_and_encoder(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    base = cache.reader_key(b"corpus", embedder)
    assert base == cache.reader_key(b"corpus", HashingEmbedder())
    assert base != cache.reader_key(b"corpus!", embedder)
    assert base != cache.reader_key(b"corpus", HashingEmbedder(dimension=32))


def test_a_reader_trained_in_memory_is_written_to_a_folder_that_lacks_it(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An app of a process that trained the reader earlier (for an app with no cache folder)
    still leaves the file for the next process on its folder (a server, a worker) to load."""
    monkeypatch.setattr(guard_module, "CORPUS_PATH", corpus)
    monkeypatch.setattr(guard_module, "_TRAINED", {})
    monkeypatch.setattr(guard_module, "load_corpus", lambda: parse_corpus(corpus.read_bytes()))
    first = corpus_reader(CountingEmbedder())  # no folder: trained, in memory only
    folder = tmp_path / "cache"
    assert corpus_reader(CountingEmbedder(), folder) is first
    assert len(cache_files(folder)) == 1
    embedder = CountingEmbedder()
    cached_reader(embedder, folder, corpus)
    assert embedder.texts == 0  # the next process loads it, no training
    written = cache_files(folder)[0].stat().st_mtime_ns
    corpus_reader(CountingEmbedder(), folder)  # already there: left alone
    assert cache_files(folder)[0].stat().st_mtime_ns == written


def test_the_guard_reads_with_the_cached_reader(tmp_path: Path) -> None:
    guard = SafetyGuard(HashingEmbedder(), cache_dir=tmp_path / "cache")
    assert guard.cache_dir == tmp_path / "cache"
