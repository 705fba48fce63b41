"""Recall at fixed shares of false alerts (evals/suites/safety_reader.py)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.safety.guard import CLASSES
from evals.suites.safety_reader import recall_at_false_alerts


def _rows(harm: list[float], urgency: list[float]) -> np.ndarray:
    """Probabilities with the given 1 - P(ordinary) and P(self_harm); the rest on legal."""
    rows = np.zeros((len(harm), len(CLASSES)))
    rows[:, CLASSES.index("none")] = 1 - np.asarray(harm)
    rows[:, CLASSES.index("self_harm")] = urgency
    rows[:, CLASSES.index("legal")] = np.asarray(harm) - np.asarray(urgency)
    return rows


def test_recall_is_read_where_the_share_of_ordinary_messages_scores_above_the_bar() -> None:
    # 200 ordinary messages scored 0.000 .. 0.995: the top 1 % (2) are above 0.985.
    ordinary = [i / 200 for i in range(200)]
    # Four harmful messages, two of them urgent; one scores under every bar.
    harmful = [0.999, 0.99, 0.98, 0.1]
    urgent = [0.999, 0.0, 0.98, 0.0]
    labels = ["none"] * 200 + ["self_harm", "legal", "self_harm", "legal"]

    figures = recall_at_false_alerts(_rows(ordinary + harmful, [0.0] * 200 + urgent), labels)

    assert figures["harmful_recall_at_0.01"] == 0.5  # 0.999 and 0.99 above 0.985
    assert figures["harmful_recall_at_0.03"] == 0.75  # 0.98 too, above 0.97
    # Ordinary messages have no urgency at all: any urgent score is above the bar.
    assert figures["urgent_recall_at_0.005"] == 1.0


def test_a_corpus_without_urgent_messages_is_refused() -> None:
    with pytest.raises(ValueError, match="urgent"):
        recall_at_false_alerts(_rows([0.1, 0.9], [0.0, 0.0]), ["none", "legal"])
