"""`python -m evals bench safety`: what the guard costs on every chat turn.

CPU time (process time: every thread's, the encoder's included) and wall time per message
over the frozen test split's messages, alone and with the learner's three previous messages,
and the classifier's training time at first use (and the time a restart takes to load it
from the cache instead). The messages are made unique per pass, so
the embedder's cache of recent texts never answers for the guard.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from agents.safety import SafetyGuard, load_corpus
from agents.safety.cache import reader_key, save_arrays
from agents.safety.guard import (
    CORPUS_PATH,
    RiskReader,
    cached_reader,
    reader_arrays,
    train_reader,
)
from evals.bench.results import REPORTS, Report, summarise_ms
from evals.context import read_dataset
from knowledge.embeddings import UniversalSentenceEncoder


def run_safety_bench(passes: int = 3, reports: Path = REPORTS) -> str:
    embedder = UniversalSentenceEncoder()
    embedder.embed(["warm-up"])  # loads the encoder, outside the training time
    started = time.process_time()
    # Trained here, not at first use: the process may already hold a trained reader.
    reader = train_reader(embedder, load_corpus())
    training_s = time.process_time() - started
    loading_s = _cache_load_s(embedder, reader)
    guard = SafetyGuard(embedder, reader=reader)
    texts = [case["text"] for case in read_dataset("safety/test")]
    samples: dict[str, list[float]] = {
        f"{what}_{clock}": [] for what in ("message", "with_history") for clock in ("cpu", "wall")
    }
    for n in range(passes):
        for i, text in enumerate(texts):
            unique = f"{text} ({n})"
            history = [f"{texts[i - k]} ({n})" for k in (3, 2, 1)]
            for what, earlier in (("message", []), ("with_history", history)):
                cpu, wall = time.process_time(), time.perf_counter()
                guard.check(unique, earlier)
                samples[f"{what}_cpu"].append((time.process_time() - cpu) * 1000)
                samples[f"{what}_wall"].append((time.perf_counter() - wall) * 1000)
    report = Report(
        "safety",
        {"messages": len(texts), "passes": passes},
        {
            "training_cpu_s": round(training_s, 2),
            "cache_load_wall_s": round(loading_s, 3),
            **{
                f"{name}_{stat}": value
                for name, measured in samples.items()
                for stat, value in summarise_ms(measured).items()
            },
        },
    )
    return report.save_and_compare(reports)


def _cache_load_s(embedder: UniversalSentenceEncoder, reader: RiskReader) -> float:
    """What a restarted process pays instead of training: the saved reader read back (wall)."""
    with tempfile.TemporaryDirectory(prefix="interlude-safety-cache-") as folder:
        key = reader_key(CORPUS_PATH.read_bytes(), embedder)
        save_arrays(Path(folder), key, reader_arrays(reader))
        started = time.perf_counter()
        cached_reader(embedder, Path(folder), CORPUS_PATH)
        return time.perf_counter() - started
