"""The safety guard's thresholds, chosen again on the dev split: `python -m evals sweep-safety`.

`agents.safety.guard.Thresholds` says how its values were chosen: on the corpus read
out-of-fold (as `evals.suites.safety.out_of_fold` reads it), rules on, the conversation layer
left out, the values with the highest urgent recall (then harmful recall) while false urgent
answers stay within 0.5 % and false flags within 2 % of ordinary messages. This reproduces it.

Each message is read once (`read_corpus`): its rules' tier, its best unit's score per tier and
its best unit's urgent margin. A threshold choice only compares those few numbers, so the whole
grid is then judged in numpy (`sweep`), and the verdict of one choice is the guard's without
history: the rules first, the classifier and the margin only making it more urgent.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from agents.safety import DEFAULT_THRESHOLDS, SafetyGuard, Thresholds
from agents.safety.guard import Example, decide, tier_scores
from agents.safety.rules import match_request
from agents.safety.taxonomy import TIER_OF, TIERS, Category, Tier, tier_rank
from evals.bench.results import Report
from evals.metrics import rate
from evals.suites.safety import FOLDS, fold_readers, is_unusual, writer_folds
from knowledge.embeddings import Embedder

URGENT = tier_rank("urgent")
# The knobs, in the order of `Thresholds`' fields (the grid's axes).
KNOBS: tuple[str, ...] = tuple(f.name for f in fields(Thresholds))
# The documented ranges, in hundredths: i / 100 is the same float as the literal the guard is
# given (0.24 == 24 / 100), so a grid point compares exactly as the guard's value does.
GRID_HUNDREDTHS: dict[str, tuple[int, int]] = {
    "urgent": (25, 95),
    "support": (10, 90),
    "out_of_scope": (15, 90),
    "urgent_margin": (-5, 29),
}
MAX_FALSE_URGENT = 0.005
MAX_FALSE_FLAGS = 0.02
FIGURES = ("urgent_recall", "harmful_recall", "false_flag_rate", "false_urgent_rate")


@dataclass(frozen=True)
class Readings:
    """What a threshold choice needs of each message (one row each), read once."""

    labels: np.ndarray  # "none" or the category of the corpus
    rules: np.ndarray  # the rules' tier rank (0: no rule hit)
    rule_categories: tuple[Category | None, ...]
    scores: dict[Tier, np.ndarray]  # the best unit's tier score (-inf: not read)
    score_categories: dict[Tier, tuple[Category | None, ...]]  # what `decide` names there
    margins: np.ndarray  # the best unit's urgent margin (-inf: none)
    margin_categories: tuple[Category | None, ...]  # the nearest urgent example's category


def only(tier: Tier) -> Thresholds:
    """Thresholds that only `tier` can pass: `decide` then names that tier's category."""
    return Thresholds(
        **{t: (-np.inf if t == tier else np.inf) for t in TIERS}, urgent_margin=np.inf
    )


def read_message(guard: SafetyGuard, text: str) -> dict[str, Any]:
    """One message as the guard reads it alone (`SafetyGuard._check`, history left out)."""
    # The guard answers an empty text before any rule: nothing, whatever the thresholds.
    category = match_request(text) if text.strip() else None
    reading: dict[str, Any] = {
        "rules": 0 if category is None else tier_rank(TIER_OF[category]),
        "rule_category": category,
        "scores": dict.fromkeys(TIERS, -np.inf),
        "score_categories": dict.fromkeys(TIERS),
        "margin": -np.inf,
        "margin_category": None,
    }
    if not text.strip():
        return reading
    probabilities, vectors = guard.read_units(text)
    for tier, scores in tier_scores(probabilities).items():
        reading["scores"][tier] = scores.max()
        reading["score_categories"][tier] = decide(probabilities, only(tier)).category
    if (nearest := guard.reader().urgent_margins(vectors)) is not None:
        margins, categories = nearest
        row = int(margins.argmax())
        reading["margin"], reading["margin_category"] = margins[row], categories[row]
    return reading


def fold_guards(embedder: Embedder, corpus: Sequence[Example]) -> list[SafetyGuard]:
    """The guards of `out_of_fold`: fold f (`writer_folds`) is read by a reader trained on
    the other folds."""
    _, readers = fold_readers(embedder, corpus)
    return [SafetyGuard(embedder, reader=reader) for reader in readers]


def read_corpus(guards: Sequence[SafetyGuard], corpus: Sequence[Example]) -> Readings:
    """Every learner message read once, by the guard of its fold (`fold_guards`: out-of-fold).
    The corpus's unusual text (`is_unusual`) trains the readers but is not read: the bounds
    are on ordinary coaching messages, as the issue states them, and unusual text has its own
    frozen split (the eval's `unusual` figures)."""
    folds = writer_folds(corpus)
    kept = [(e, f) for e, f in zip(corpus, folds, strict=True) if not is_unusual(e)]
    corpus = [e for e, _ in kept]
    rows = [read_message(guards[f], e.text) for e, f in kept]
    # Scores keep the guard's dtype: it compares a float32 score with its (Python float)
    # threshold in float32, and so must the grid.
    return Readings(
        labels=np.array([e.label for e in corpus]),
        rules=np.array([r["rules"] for r in rows], dtype=np.int8),
        rule_categories=tuple(r["rule_category"] for r in rows),
        scores={t: _same_dtype([r["scores"][t] for r in rows]) for t in TIERS},
        score_categories={t: tuple(r["score_categories"][t] for r in rows) for t in TIERS},
        margins=_same_dtype([r["margin"] for r in rows]),
        margin_categories=tuple(r["margin_category"] for r in rows),
    )


def _same_dtype(values: list[Any]) -> np.ndarray:
    """numpy scalars of one dtype (-inf where nothing was read) as an array of that dtype."""
    dtypes = {v.dtype for v in values if isinstance(v, np.generic)}
    return np.array(values, dtype=dtypes.pop() if len(dtypes) == 1 else np.float64)


def _passes(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """(thresholds, messages): score ≥ threshold, compared in the scores' dtype as the guard
    compares (a float32 score against a Python float is a float32 comparison)."""
    return scores[None, :] >= thresholds.astype(scores.dtype)[:, None]


def tiers_at(readings: Readings, thresholds: Thresholds) -> np.ndarray:
    """Per message, the tier rank of the guard's verdict (0: nothing): the rules' tier, raised
    by the classifier's most urgent tier over its threshold or by the urgent margin."""
    classifier = np.zeros(len(readings.labels), dtype=np.int8)
    for tier in reversed(TIERS):  # the most urgent tier written last wins
        passed = _passes(readings.scores[tier], np.array([thresholds.of(tier)]))[0]
        classifier[passed] = tier_rank(tier)
    near_urgent = _passes(readings.margins, np.array([thresholds.urgent_margin]))[0]
    classifier[near_urgent] = URGENT
    ranks: np.ndarray = np.maximum(readings.rules, classifier)
    return ranks


def categories_at(readings: Readings, thresholds: Thresholds) -> list[Category | None]:
    """Per message, the category of the guard's verdict (rules win a tie, as `more_urgent`)."""
    ranks = tiers_at(readings, thresholds)
    urgent_by_score = _passes(readings.scores["urgent"], np.array([thresholds.urgent]))[0]
    found: list[Category | None] = []
    for i, rank in enumerate(ranks):
        if rank == 0 or rank == readings.rules[i]:
            found.append(readings.rule_categories[i] if rank else None)
        elif rank == URGENT and not urgent_by_score[i]:
            found.append(readings.margin_categories[i])
        else:
            found.append(readings.score_categories[TIERS[len(TIERS) - rank]][i])
    return found


def figures(readings: Readings, ranks: np.ndarray) -> dict[str, float]:
    """Dev figures of one choice, as `evals.suites.safety.score` computes them."""
    ordinary, harmful = readings.labels == "none", readings.labels != "none"
    urgent = np.isin(readings.labels, [c for c, t in TIER_OF.items() if t == "urgent"])
    return {
        "urgent_recall": rate(int((ranks[urgent] == URGENT).sum()), int(urgent.sum())),
        "harmful_recall": rate(int((ranks[harmful] > 0).sum()), int(harmful.sum())),
        "false_flag_rate": rate(int((ranks[ordinary] > 0).sum()), int(ordinary.sum())),
        "false_urgent_rate": rate(int((ranks[ordinary] == URGENT).sum()), int(ordinary.sum())),
    }


def grid(hundredths: dict[str, tuple[int, int]] = GRID_HUNDREDTHS) -> dict[str, np.ndarray]:
    return {knob: np.arange(lo, hi + 1) / 100 for knob, (lo, hi) in hundredths.items()}


@dataclass(frozen=True)
class Sweep:
    """Counts over a grid, indexed [urgent, support, out_of_scope, urgent_margin]. Urgent
    counts depend on urgent and urgent_margin only: their support and out_of_scope axes have
    length 1 (numpy broadcasts them)."""

    axes: dict[str, np.ndarray]
    urgent_caught: np.ndarray
    harmful_caught: np.ndarray
    false_flags: np.ndarray
    false_urgent: np.ndarray
    urgent: int  # how many urgent messages, harmful ones, ordinary ones
    harmful: int
    ordinary: int

    def rates(self) -> dict[str, np.ndarray]:
        shape = tuple(len(self.axes[k]) for k in KNOBS)
        return {
            "urgent_recall": np.broadcast_to(self.urgent_caught / max(self.urgent, 1), shape),
            "harmful_recall": np.broadcast_to(self.harmful_caught / max(self.harmful, 1), shape),
            "false_flag_rate": np.broadcast_to(self.false_flags / max(self.ordinary, 1), shape),
            "false_urgent_rate": np.broadcast_to(self.false_urgent / max(self.ordinary, 1), shape),
        }

    def thresholds(self, index: tuple[int, ...]) -> Thresholds:
        return Thresholds(**{k: float(self.axes[k][i]) for k, i in zip(KNOBS, index, strict=True)})

    def figures(self, index: tuple[int, ...]) -> dict[str, float]:
        u, s, o, m = index
        return {
            "urgent_recall": rate(int(self.urgent_caught[u, 0, 0, m]), self.urgent),
            "harmful_recall": rate(int(self.harmful_caught[u, s, o, m]), self.harmful),
            "false_flag_rate": rate(int(self.false_flags[u, s, o, m]), self.ordinary),
            "false_urgent_rate": rate(int(self.false_urgent[u, 0, 0, m]), self.ordinary),
        }


def sweep(readings: Readings, axes: dict[str, np.ndarray]) -> Sweep:
    """Every grid point judged at once. A message is urgent when its rules, its urgent score or
    its margin say so (urgent x margin pairs); flagged when urgent, or by its rules, or by its
    support or out-of-scope score (support x out-of-scope pairs). Flag counts per quadruple are
    then one matrix product of the two."""
    urgent_labels = [c for c, t in TIER_OF.items() if t == "urgent"]
    is_urgent = np.isin(readings.labels, urgent_labels)
    ordinary, harmful = readings.labels == "none", readings.labels != "none"
    # (urgent, margin, message)
    urgent_hit = (
        _passes(readings.scores["urgent"], axes["urgent"])[:, None, :]
        | _passes(readings.margins, axes["urgent_margin"])[None, :, :]
        | (readings.rules == URGENT)
    )
    # (support, out_of_scope, message)
    lower_hit = (
        _passes(readings.scores["support"], axes["support"])[:, None, :]
        | _passes(readings.scores["out_of_scope"], axes["out_of_scope"])[None, :, :]
    )
    unflagged_yet = ~(urgent_hit | (readings.rules > 0))

    def flagged(messages: np.ndarray) -> np.ndarray:
        """(urgent, support, out_of_scope, margin) counts of flagged messages among these."""
        # float32 sums of 0/1 are exact far beyond any corpus size (2^24).
        left = unflagged_yet[:, :, messages].reshape(-1, int(messages.sum())).astype(np.float32)
        right = ~lower_hit[:, :, messages].reshape(-1, int(messages.sum()))
        missed = left @ right.T.astype(np.float32)  # (urgent*margin, support*oos)
        shape = [len(axes[k]) for k in ("urgent", "urgent_margin", "support", "out_of_scope")]
        counts = int(messages.sum()) - np.rint(missed).astype(np.int64).reshape(shape)
        ordered: np.ndarray = counts.transpose(0, 2, 3, 1)
        return ordered

    def urgent_count(messages: np.ndarray) -> np.ndarray:
        counts: np.ndarray = urgent_hit[:, :, messages].sum(axis=2)
        return counts[:, None, None, :]

    return Sweep(
        axes=axes,
        urgent_caught=urgent_count(is_urgent),
        harmful_caught=flagged(harmful),
        false_flags=flagged(ordinary),
        false_urgent=urgent_count(ordinary),
        urgent=int(is_urgent.sum()),
        harmful=int(harmful.sum()),
        ordinary=int(ordinary.sum()),
    )


def choose(
    result: Sweep,
    current: Thresholds = DEFAULT_THRESHOLDS,
    max_false_urgent: float = MAX_FALSE_URGENT,
    max_false_flags: float = MAX_FALSE_FLAGS,
) -> tuple[int, ...] | None:
    """The grid index of the documented choice: within both bounds, the highest urgent recall,
    then the highest harmful recall, then the values nearest `current` (sum of absolute
    differences: the choice moves only as far as the figures ask). None if no point fits."""
    rates = result.rates()
    allowed = (rates["false_urgent_rate"] <= max_false_urgent) & (
        rates["false_flag_rate"] <= max_false_flags
    )
    if not allowed.any():
        return None
    # Counts, not rates, to rank: equal counts are equal, whatever the float division does.
    shape = allowed.shape
    urgent = np.where(allowed, np.broadcast_to(result.urgent_caught, shape), -1)
    best_urgent = urgent == urgent.max()
    harmful = np.where(best_urgent, np.broadcast_to(result.harmful_caught, shape), -1)
    best = harmful == harmful.max()
    distance = sum(
        np.abs(result.axes[knob] - getattr(current, knob)).reshape(
            [-1 if axis == i else 1 for axis in range(len(KNOBS))]
        )
        for i, knob in enumerate(KNOBS)
    )
    distance = np.where(best, np.broadcast_to(distance, shape), np.inf)
    return tuple(int(i) for i in np.unravel_index(int(distance.argmin()), shape))


def thresholds_dict(thresholds: Thresholds) -> dict[str, float]:
    return dict(zip(KNOBS, astuple(thresholds), strict=True))


def run_safety_sweep(
    embedder: Embedder,
    corpus: Sequence[Example],
    reports: Path,
    *,
    max_false_urgent: float = MAX_FALSE_URGENT,
    max_false_flags: float = MAX_FALSE_FLAGS,
    progress: Callable[[str], None] = lambda _: None,
) -> str:
    """Read the corpus, sweep the grid, choose; write `reports`/sweep.json and return a table
    of the chosen values against the current ones."""
    guards = fold_guards(embedder, corpus)
    readings = read_corpus(guards, corpus)
    progress(f"{FOLDS} readers trained; read {len(readings.labels)} learner messages")
    axes = grid()
    result = sweep(readings, axes)
    index = choose(result, DEFAULT_THRESHOLDS, max_false_urgent, max_false_flags)
    current = figures(readings, tiers_at(readings, DEFAULT_THRESHOLDS))
    chosen = None if index is None else result.thresholds(index)
    chosen_figures = None if index is None else result.figures(index)
    metrics = {f"current.{k}": v for k, v in current.items()}
    if chosen is not None and chosen_figures is not None:
        metrics |= {f"chosen.{k}": v for k, v in thresholds_dict(chosen).items()}
        metrics |= {f"chosen.{k}": v for k, v in chosen_figures.items()}
    Report(
        "sweep",
        {
            "messages": len(readings.labels),
            "folds": FOLDS,
            "current": thresholds_dict(DEFAULT_THRESHOLDS),
            "grid": {k: [lo / 100, hi / 100, 0.01] for k, (lo, hi) in GRID_HUNDREDTHS.items()},
            "bounds": {"false_urgent_rate": max_false_urgent, "false_flag_rate": max_false_flags},
            "rule": "max urgent recall, then harmful recall, then nearest the current values",
        },
        metrics,
    ).save_and_compare(reports)
    return render(DEFAULT_THRESHOLDS, current, chosen, chosen_figures, len(readings.labels))


def render(
    current: Thresholds,
    current_figures: dict[str, float],
    chosen: Thresholds | None,
    chosen_figures: dict[str, float] | None,
    messages: int,
) -> str:
    lines = [f"safety thresholds on dev ({messages} messages, out-of-fold, rules on)"]
    lines.append(f"  {'':<20} {'current':>9} {'chosen':>9}")
    for knob in KNOBS:
        now = getattr(current, knob)
        then = "-" if chosen is None else f"{getattr(chosen, knob):.2f}"
        lines.append(f"  {knob:<20} {now:>9.2f} {then:>9}")
    for figure in FIGURES:
        then = "-" if chosen_figures is None else f"{chosen_figures[figure]:.4f}"
        lines.append(f"  {figure:<20} {current_figures[figure]:>9.4f} {then:>9}")
    if chosen is None:
        lines.append("  no grid point within the bounds")
    return "\n".join(lines)
