"""`interlude bench safety`: what the guard costs on every chat turn.

CPU time per message (process time, one thread: the guard runs in a chat turn's worker thread)
over the frozen test split's messages, alone and with the learner's three previous messages,
and the classifier's training time at first use. The messages are made unique per pass, so
the embedder's cache of recent texts never answers for the guard.
"""

from __future__ import annotations

import time
from pathlib import Path

from agents.safety import SafetyGuard
from evals.bench.results import REPORTS, Report, summarise_ms
from evals.context import read_dataset
from knowledge.embeddings import UniversalSentenceEncoder


def run_safety_bench(passes: int = 3, reports: Path = REPORTS) -> str:
    guard = SafetyGuard(UniversalSentenceEncoder())
    started = time.process_time()
    guard.check("warm-up")  # loads the encoder and trains the classifier
    training_s = time.process_time() - started
    texts = [case["text"] for case in read_dataset("safety/test")]
    alone: list[float] = []
    together: list[float] = []
    for n in range(passes):
        for i, text in enumerate(texts):
            unique = f"{text} ({n})"
            history = [f"{texts[i - k]} ({n})" for k in (3, 2, 1)]
            for samples, earlier in ((alone, []), (together, history)):
                started = time.process_time()
                guard.check(unique, earlier)
                samples.append((time.process_time() - started) * 1000)
    report = Report(
        "safety",
        {"messages": len(texts), "passes": passes},
        {
            "training_cpu_s": round(training_s, 2),
            **{f"message_cpu_{k}": v for k, v in summarise_ms(alone).items()},
            **{f"with_history_cpu_{k}": v for k, v in summarise_ms(together).items()},
        },
    )
    return report.save_and_compare(reports)
