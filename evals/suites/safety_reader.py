"""The safety classifier alone, read out-of-fold by writer (`python -m evals reader-safety`).

What a change to the reader does (its features, its capacity, its training) hardly shows in
the guard's dev figures: the rules and the urgent margin, written and tuned on the same
corpus, already catch most of what a better classifier newly finds, and the thresholds move
with it. This reads the classifier alone, trained as `train_reader` trains it on the other
folds (`writer_folds`: never on the message's own writer), on each message whole, and reports
recall where a fixed share of ordinary messages scores above the bar: harmful recall (1 -
P(ordinary)) at 1, 2 and 3 % false flags, urgent recall (the urgent classes' summed
probability) at 0.5, 1 and 2 % false urgent. The bars are the scores' own quantiles, so no
threshold is involved. On 2026-12-07 word pairs and three averaged networks were measured this
way (a scratch version of it; not kept, see the README); the report shows the change against
the last run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from agents.safety.classifier import NONE
from agents.safety.features import features
from agents.safety.guard import CLASSES, Example, tier_scores
from agents.safety.taxonomy import CATEGORIES, TIER_OF
from evals.bench.results import Report
from evals.suites.safety import FOLDS, fold_readers, is_unusual
from knowledge.embeddings import Embedder

FALSE_FLAG_RATES = (0.01, 0.02, 0.03)
FALSE_URGENT_RATES = (0.005, 0.01, 0.02)
URGENT_LABELS = [c for c in CATEGORIES if TIER_OF[c] == "urgent"]


def out_of_fold_probabilities(
    embedder: Embedder,
    corpus: Sequence[Example],
    progress: Callable[[str], None] = lambda _: None,
) -> np.ndarray:
    """Per message, the probability of each of CLASSES given by a classifier trained on the
    other writers' folds."""
    folds, readers = fold_readers(embedder, corpus)
    probabilities = np.zeros((len(corpus), len(CLASSES)))
    for fold, reader in enumerate(readers):
        held = [i for i, f in enumerate(folds) if f == fold]
        if not held:
            continue
        texts = [corpus[i].text for i in held]
        vectors = features(embedder.embed(texts), texts)
        probabilities[held] = reader.classifier.probabilities(vectors)
        progress(f"fold {fold + 1} of {FOLDS}: {len(held)} messages read")
    return probabilities


def recall_at_false_alerts(probabilities: np.ndarray, labels: Sequence[str]) -> dict[str, float]:
    """Recall where the given shares of ordinary messages score above the bar."""
    check_labels(labels)
    label = np.asarray(labels)
    ordinary = label == NONE
    urgent = np.isin(label, URGENT_LABELS)
    harm = 1.0 - probabilities[:, CLASSES.index(NONE)]
    urgency = tier_scores(probabilities)["urgent"]
    figures = {}
    for share in FALSE_FLAG_RATES:
        bar = np.quantile(harm[ordinary], 1 - share)
        figures[f"harmful_recall_at_{share:g}"] = float((harm[~ordinary] > bar).mean())
    for share in FALSE_URGENT_RATES:
        bar = np.quantile(urgency[ordinary], 1 - share)
        figures[f"urgent_recall_at_{share:g}"] = float((urgency[urgent] > bar).mean())
    return {name: round(value, 4) for name, value in figures.items()}


def check_labels(labels: Sequence[str]) -> None:
    """Recall at false alerts needs ordinary messages (the bars), harmful and urgent ones."""
    present = set(labels)
    if NONE not in present or not present - {NONE} or not present & set(URGENT_LABELS):
        raise ValueError("the corpus needs ordinary, harmful and urgent messages")


def run_reader_eval(
    embedder: Embedder,
    corpus: Sequence[Example],
    reports: Path,
    progress: Callable[[str], None] = lambda _: None,
) -> str:
    """Read the corpus out-of-fold, write `reports`/reader.json, return the comparison. The
    corpus's unusual text (`is_unusual`) trains the readers but sets no bar: the shares of
    false alerts are of ordinary learner messages, as the guard's thresholds are."""
    learner = [i for i, e in enumerate(corpus) if not is_unusual(e)]
    labels = [corpus[i].label for i in learner]
    check_labels(labels)  # before minutes of training, not after
    probabilities = out_of_fold_probabilities(embedder, corpus, progress)
    figures = recall_at_false_alerts(probabilities[learner], labels)
    parameters = {
        "messages": len(learner),
        "unusual_texts_trained_on": len(corpus) - len(learner),
        "folds": FOLDS,
        "fold_by": "writer (origin)",
        "read": "the classifier alone, each message whole",
    }
    return Report("reader", parameters, figures).save_and_compare(reports)
