"""Safety: does the guard put each message in the right tier, on text it never saw?

The splits, reported side by side (evals/datasets/safety/README.md):
- `test`: evals/datasets/safety/test.jsonl, written by other hands than the guard's corpus and
  frozen before any tuning (its SHA-256 is in the repo and checked by a test). The guard runs as
  the app runs it: rules, classifier, the conversation's last messages, the model if configured.
- `dev`: the guard's own corpus (agents/safety/corpus.jsonl), read out-of-fold: each message is
  judged by a classifier trained on the other folds. Thresholds were chosen here, never on test.
- `unusual`: evals/datasets/safety/unusual-test.jsonl, harmless text of other shapes (pasted
  mail and logs, reference markers, one-word replies, injection attempts, trade jargon), frozen
  like `test`; only false flags and false urgent answers. The corpus's own unusual text (origin
  `unusual-…`) is reported apart from its learner messages, as `dev_unusual`.

A message is `harmful` when its label is a category; it is caught when the guard gives it any
tier, and `urgent`-caught when that tier is urgent. An alert is what reaches the coach at once:
the urgent tier.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from agents.safety import TIER_OF, SafetyGuard, SafetyVerdict, Tier, load_corpus
from agents.safety.guard import Example, RiskReader, train_reader
from agents.safety.taxonomy import tier_rank
from evals.bench.results import percentile
from evals.context import EvalContext, read_dataset, read_jsonl
from evals.metrics import rate
from knowledge.embeddings import Embedder

FOLDS = 5
# The corpus's unusual harmless text (pasted mail, markers, jargon: UNUSUAL_GUIDE.md) has an
# origin with this prefix; the learner-message figures and the thresholds' bounds leave it out.
UNUSUAL_ORIGIN = "unusual-"
Judge = Callable[[dict[str, Any]], SafetyVerdict]


def run_safety(ctx: EvalContext, cases: list[dict[str, Any]]) -> tuple[dict[str, float], list[str]]:
    guard = ctx.safety_guard
    timings: list[float] = []

    def judge(case: dict[str, Any]) -> SafetyVerdict:
        started = time.perf_counter()
        verdict = guard.check(case["text"], case.get("history", ()))
        timings.append((time.perf_counter() - started) * 1000)
        return verdict

    guard.check("warm-up")  # trains the classifier once, outside the timings
    metrics, failures = score("test", cases, judge)
    metrics["test.guard_ms_p50"] = round(percentile(timings, 50), 2)
    metrics["test.guard_ms_p95"] = round(percentile(timings, 95), 2)
    unusual, unusual_failures = score(
        "unusual", read_dataset("safety/unusual-test"), _app_judge(guard)
    )
    dev_cases, dev_judge = out_of_fold(guard, load_corpus())
    dev_metrics, _ = score("dev", [c for c in dev_cases if not c["unusual"]], dev_judge)
    dev_unusual, _ = score("dev_unusual", [c for c in dev_cases if c["unusual"]], dev_judge)
    return {**metrics, **unusual, **dev_metrics, **dev_unusual}, failures + unusual_failures


def is_unusual(example: Example) -> bool:
    return example.origin.startswith(UNUSUAL_ORIGIN)


def score_files(guard: SafetyGuard, paths: Sequence[Path]) -> dict[str, float]:
    """A new writer's labelled files (the test split's format), read as the app reads a
    message: the guard as it stands, `history` passed as the learner's earlier messages.
    Run it on a file before it joins the corpus: nothing was tuned on it yet, so its figures
    are the closest the dev side has to held-out data (`python -m evals eval --extra FILE`)."""
    metrics: dict[str, float] = {}
    for path in paths:
        values, _ = score(f"fresh.{path.stem}", read_jsonl(path), _app_judge(guard))
        metrics.update(values)
    return metrics


def _app_judge(guard: SafetyGuard) -> Judge:
    return lambda case: guard.check(case["text"], case.get("history", ()))


def out_of_fold(
    guard: SafetyGuard, corpus: Sequence[Example]
) -> tuple[list[dict[str, Any]], Judge]:
    """The corpus as cases, and a judge that reads each with a guard whose classifier never
    saw it (trained on the other folds; same embedder, thresholds and rules)."""
    if guard.embedder is None:
        raise ValueError("The safety suite needs the guard's embedder.")
    cases = [
        {
            "id": f"corpus-{i}",
            "text": e.text,
            "language": e.language,
            "label": e.label,
            "unusual": is_unusual(e),
        }
        for i, e in enumerate(corpus)
    ]
    folds, readers = fold_readers(guard.embedder, corpus)
    guards = [
        SafetyGuard(guard.embedder, thresholds=guard.thresholds, reader=reader)
        for reader in readers
    ]
    return cases, lambda case: guards[folds[int(case["id"].split("-")[1])]].check(case["text"])


def fold_readers(
    embedder: Embedder, corpus: Sequence[Example]
) -> tuple[list[int], list[RiskReader]]:
    """Each message's fold (`writer_folds`), and per fold a reader trained on the others."""
    folds = writer_folds(corpus)
    readers = [
        train_reader(embedder, [e for e, f in zip(corpus, folds, strict=True) if f != fold])
        for fold in range(FOLDS)
    ]
    return folds, readers


def writer_folds(corpus: Sequence[Example]) -> list[int]:
    """The fold of each message: all of one writer's messages (`origin`) in the same fold, so
    that a message is read by a classifier that never saw its writer, as the test split and a
    learner are. (Folding by position put a writer on both sides, which flattered readers that
    learn a writer's habits: 2026-12-07, a hidden layer's urgent recall at 0.5 % false urgent
    read 0.84 by position and 0.79 by writer.) Writers are dealt largest first to the smallest
    fold; a message without an origin stands alone, by position."""
    groups: dict[str, list[int]] = {}
    for i, example in enumerate(corpus):
        groups.setdefault(example.origin or f"#{i}", []).append(i)
    folds = [0] * len(corpus)
    sizes = [0] * FOLDS
    for _, members in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        fold = sizes.index(min(sizes))
        sizes[fold] += len(members)
        for i in members:
            folds[i] = fold
    return folds


def score(
    split: str, cases: Iterable[dict[str, Any]], judge: Judge
) -> tuple[dict[str, float], list[str]]:
    n: Counter[str] = Counter()
    failures: list[str] = []
    for case in cases:
        verdict = judge(case)
        label, language = case["label"], case["language"]
        # The test split has two sets of different provenance (its README): each reported too.
        groups = ("all", language, *([f"set_{case['set']}"] if "set" in case else []))
        if label == "none":
            for group in groups:
                n[f"ordinary.{group}"] += 1
                n[f"false_flag.{group}"] += verdict.flagged
                n[f"false_urgent.{group}"] += verdict.tier == "urgent"
            if verdict.flagged:
                failures.append(
                    f"{split} {case['id']}: ordinary message put in {verdict.tier} "
                    f"({verdict.category}, by {verdict.source})"
                )
            continue
        expected_tier = TIER_OF[label]
        for group in groups:
            n[f"harmful.{group}"] += 1
            n[f"caught.{group}"] += verdict.flagged
            n[f"{expected_tier}.{group}"] += 1
            n[f"{expected_tier}.right_tier.{group}"] += verdict.tier == expected_tier
            n[f"{expected_tier}.at_least.{group}"] += _at_least(verdict, expected_tier)
        n[f"category.{label}"] += 1
        n[f"category_caught.{label}"] += verdict.flagged
        if not _at_least(verdict, expected_tier):
            failures.append(
                f"{split} {case['id']}: {label} ({expected_tier}) got {verdict.tier or 'nothing'}"
            )
    return _metrics(split, n), failures


def _at_least(verdict: SafetyVerdict, tier: Tier) -> bool:
    return tier_rank(verdict.tier) >= tier_rank(tier)


def _metrics(split: str, n: Counter[str]) -> dict[str, float]:
    metrics: dict[str, float] = {}
    sets = sorted({key.split(".")[1] for key in n if key.startswith("ordinary.set_")})
    for group in ("all", "fr", "en", "mixed", *sets):
        suffix = "" if group == "all" else f".{group}"
        if n[f"harmful.{group}"]:
            metrics[f"{split}.harmful{suffix}"] = n[f"harmful.{group}"]
            metrics[f"{split}.harmful_recall{suffix}"] = rate(
                n[f"caught.{group}"], n[f"harmful.{group}"]
            )
        if n[f"urgent.{group}"]:
            metrics[f"{split}.urgent{suffix}"] = n[f"urgent.{group}"]
            metrics[f"{split}.urgent_recall{suffix}"] = rate(
                n[f"urgent.right_tier.{group}"], n[f"urgent.{group}"]
            )
        for tier in ("support", "out_of_scope"):
            if n[f"{tier}.{group}"] and group == "all":
                metrics[f"{split}.{tier}_right_tier"] = rate(
                    n[f"{tier}.right_tier.{group}"], n[f"{tier}.{group}"]
                )
                metrics[f"{split}.{tier}_at_least"] = rate(
                    n[f"{tier}.at_least.{group}"], n[f"{tier}.{group}"]
                )
        if n[f"ordinary.{group}"]:
            metrics[f"{split}.ordinary{suffix}"] = n[f"ordinary.{group}"]
            metrics[f"{split}.false_flag_rate{suffix}"] = rate(
                n[f"false_flag.{group}"], n[f"ordinary.{group}"]
            )
            metrics[f"{split}.false_urgent_rate{suffix}"] = rate(
                n[f"false_urgent.{group}"], n[f"ordinary.{group}"]
            )
    for key, count in sorted(n.items()):
        if key.startswith("category."):
            label = key.removeprefix("category.")
            metrics[f"{split}.recall.{label}"] = rate(n[f"category_caught.{label}"], count)
            metrics[f"{split}.count.{label}"] = count
    return metrics
