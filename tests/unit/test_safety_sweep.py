"""The threshold sweep (evals/suites/safety_sweep.py) judges as the guard judges, and chooses as
`Thresholds` documents. A small slice of the corpus and the hashing embedder: the figures mean
nothing, the agreement with `SafetyGuard.check` and `score` is what is tested."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from agents.safety import DEFAULT_THRESHOLDS, SafetyGuard, Thresholds, load_corpus
from agents.safety.guard import CLASSES, Example
from agents.safety.taxonomy import tier_rank
from evals.suites import safety_sweep
from evals.suites.safety import is_unusual, out_of_fold, score, writer_folds
from evals.suites.safety_sweep import Readings, Sweep
from tests.fakes import HashingEmbedder

# Different enough from the defaults that many verdicts change (checked below).
LOOSE = Thresholds(urgent=0.3, support=0.15, out_of_scope=0.25, urgent_margin=0.0)


@pytest.fixture(scope="module")
def embedder() -> HashingEmbedder:
    return HashingEmbedder(dimension=64)


@pytest.fixture(scope="module")
def corpus() -> list[Example]:
    """The first messages of each label: every tier, ordinary messages, both languages."""
    every = load_corpus()
    return [e for label in CLASSES for e in [e for e in every if e.label == label][:7]]


@pytest.fixture(scope="module")
def fold_guards(embedder: HashingEmbedder, corpus: Sequence[Example]) -> list[SafetyGuard]:
    return safety_sweep.fold_guards(embedder, corpus)


@pytest.fixture(scope="module")
def readings(fold_guards: list[SafetyGuard], corpus: Sequence[Example]) -> Readings:
    return safety_sweep.read_corpus(fold_guards, corpus)


def test_vectorised_verdicts_are_the_guards_message_by_message(
    embedder: HashingEmbedder,
    corpus: Sequence[Example],
    fold_guards: list[SafetyGuard],
    readings: Readings,
) -> None:
    # The same readers as the sweep's (training is deterministic: out_of_fold's are equal).
    readers = [guard.reader() for guard in fold_guards]
    ranks_by_setting = []
    for thresholds in (DEFAULT_THRESHOLDS, LOOSE):
        guards = [SafetyGuard(embedder, thresholds=thresholds, reader=r) for r in readers]
        folds = writer_folds(corpus)
        verdicts = [guards[f].check(e.text) for e, f in zip(corpus, folds, strict=True)]
        ranks = safety_sweep.tiers_at(readings, thresholds)
        assert [tier_rank(v.tier) for v in verdicts] == ranks.tolist()
        assert [v.category for v in verdicts] == safety_sweep.categories_at(readings, thresholds)
        ranks_by_setting.append(ranks)
    assert (ranks_by_setting[0] != ranks_by_setting[1]).sum() >= 5


def test_the_sweep_gives_the_suites_dev_figures_at_the_current_thresholds(
    embedder: HashingEmbedder, corpus: Sequence[Example], readings: Readings
) -> None:
    metrics, _ = score("dev", *out_of_fold(SafetyGuard(embedder), corpus))
    expected = {figure: metrics[f"dev.{figure}"] for figure in safety_sweep.FIGURES}

    result = safety_sweep.sweep(readings, safety_sweep.grid())
    current = tuple(
        int(np.flatnonzero(result.axes[knob] == getattr(DEFAULT_THRESHOLDS, knob))[0])
        for knob in safety_sweep.KNOBS
    )

    assert result.thresholds(current) == DEFAULT_THRESHOLDS
    assert result.figures(current) == expected
    ranks = safety_sweep.tiers_at(readings, DEFAULT_THRESHOLDS)
    assert safety_sweep.figures(readings, ranks) == expected


def test_every_grid_point_counts_what_its_verdicts_give(readings: Readings) -> None:
    axes = safety_sweep.grid(
        {
            "urgent": (30, 60),
            "support": (15, 30),
            "out_of_scope": (20, 25),
            "urgent_margin": (0, 10),
        }
    )
    result = safety_sweep.sweep(readings, axes)
    rng = np.random.default_rng(11)
    for _ in range(25):
        index = tuple(int(rng.integers(len(axes[knob]))) for knob in safety_sweep.KNOBS)
        ranks = safety_sweep.tiers_at(readings, result.thresholds(index))
        assert result.figures(index) == safety_sweep.figures(readings, ranks)


def hand_made(
    urgent_caught: list[int],
    harmful_caught: list[int],
    false_flags: list[int],
    false_urgent: list[int],
) -> Sweep:
    """Four points along the urgent axis only (100 urgent, 200 harmful, 1,000 ordinary)."""
    axes = {
        "urgent": np.array([0.3, 0.4, 0.5, 0.6]),
        "support": np.array([0.24]),
        "out_of_scope": np.array([0.2]),
        "urgent_margin": np.array([0.06]),
    }

    def column(values: list[int]) -> np.ndarray:
        return np.array(values).reshape(4, 1, 1, 1)

    return Sweep(
        axes,
        column(urgent_caught),
        column(harmful_caught),
        column(false_flags),
        column(false_urgent),
        urgent=100,
        harmful=200,
        ordinary=1000,
    )


def test_the_chooser_keeps_within_both_bounds_and_takes_the_best_point() -> None:
    # 0.3: best urgent recall but 0.6 % false urgent; 0.4: 2.1 % false flags; 0.5 and 0.6
    # allowed, 0.5 the better urgent recall.
    table = hand_made([95, 94, 90, 85], [190, 190, 180, 185], [15, 21, 20, 10], [6, 5, 5, 1])
    assert safety_sweep.choose(table) == (2, 0, 0, 0)
    # Bounds are parameters: with 3 % false flags allowed, 0.4 wins.
    assert safety_sweep.choose(table, max_false_flags=0.03) == (1, 0, 0, 0)
    assert safety_sweep.choose(table, max_false_urgent=0.0) is None


def test_the_chooser_breaks_ties_by_harmful_recall_then_nearness_to_the_current_values() -> None:
    # 0.3 and 0.6 catch more harmful messages than the current 0.5; 0.6 is the nearer. The
    # current values are set here, not taken from the defaults the sweep moves.
    current = Thresholds(urgent=0.5, support=0.24, out_of_scope=0.2, urgent_margin=0.06)
    by_harm = hand_made([90, 90, 90, 90], [185, 180, 180, 185], [10] * 4, [1] * 4)
    assert safety_sweep.choose(by_harm, current=current) == (3, 0, 0, 0)
    nearest = hand_made([90] * 4, [180] * 4, [10] * 4, [1] * 4)
    assert safety_sweep.choose(nearest, current=current) == (2, 0, 0, 0)
    assert safety_sweep.choose(nearest, current=Thresholds(urgent=0.38)) == (1, 0, 0, 0)


def test_the_dev_folds_keep_each_writer_on_one_side() -> None:
    corpus = [Example(f"m{i}", "fr", "none", origin) for i, origin in enumerate("aaaabbbcc")]
    corpus += [Example(f"n{i}", "en", "none") for i in range(10)]  # no origin: one by one

    folds = writer_folds(corpus)

    for writer in "abc":
        assert len({f for e, f in zip(corpus, folds, strict=True) if e.origin == writer}) == 1
    sizes = [folds.count(fold) for fold in range(5)]
    assert max(sizes) - min(sizes) <= 1, sizes  # 19 messages: 4 or 3 in each fold


def test_unusual_text_trains_the_readers_but_not_the_bounds(
    embedder: HashingEmbedder, corpus: Sequence[Example]
) -> None:
    """The corpus's unusual harmless text (pasted mail, markers, jargon) is read by no bound:
    the sweep's false flags are over learner messages, as the issue states them."""
    unusual = [e for e in load_corpus() if is_unusual(e)][:5]
    assert len(unusual) == 5
    mixed = [*corpus, *unusual]

    readings = safety_sweep.read_corpus(safety_sweep.fold_guards(embedder, mixed), mixed)
    cases, _ = out_of_fold(SafetyGuard(embedder), mixed)

    assert len(readings.labels) == len(corpus)
    assert [c["unusual"] for c in cases] == [False] * len(corpus) + [True] * 5
