"""A softmax (multinomial logistic) regression over sentence embeddings, in numpy, and what
the guard's classifiers share (the input scale, the softmax of a row).

The guard's reader was this linear model until 2026-12-07; it now reads with one hidden layer
(hidden_layer.py), against which this one stays the baseline (and a scripted reader in tests).

Why this and not nearest neighbours: the earlier guard flagged a text when it was nearer to a
risky example than to any benign one, so one close benign or risky sentence decided, and a
signal inside a longer message was diluted. A linear model over the same embeddings weighs every
training message, learns which directions of the space mean risk, and gives a probability per
category that the guard can read per sentence and for the whole message.

Training is deterministic (zero start, full batch, Adam) and takes well under a second for a
thousand messages, so the model is trained from the corpus on first use instead of shipping
opaque weights: what it learned is exactly what `corpus.jsonl` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agents.safety.features import Features
from knowledge.embeddings import Vectors

# Rows to read: sentence embeddings, or the guard's features (embeddings and n-grams).
Inputs = Vectors | Features

NONE = "none"
# Chosen on the dev split (out-of-fold): at 3 % false flags, harmful recall was 0.75 with
# L2 = 1e-4 (overconfident: probabilities near 1 on paraphrases of training messages), 0.84
# with 0.1, 0.87 with 0.3, 0.82 with 1.0.
L2 = 0.3
STEPS = 400
LEARNING_RATE = 0.05
# USE vectors are unit length, so raw logits would stay small: a fixed input scale lets the
# weights stay near 1 and Adam's step size mean the same thing for every embedder.
INPUT_SCALE = 10.0


@dataclass(frozen=True, slots=True)
class SoftmaxClassifier:
    classes: tuple[str, ...]
    weights: np.ndarray  # (dimension, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, vectors: Inputs) -> np.ndarray:
        """One row per vector, one column per class, rows summing to 1."""
        return softmax_rows((vectors @ self.weights) * INPUT_SCALE + self.bias)


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Each row of logits as probabilities (a new array)."""
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities: np.ndarray = exp / exp.sum(axis=1, keepdims=True)
    return probabilities


def train_softmax(
    vectors: Inputs,
    labels: Sequence[str],
    classes: Sequence[str],
    *,
    sample_weights: Sequence[float] | None = None,
    l2: float = L2,
    steps: int = STEPS,
    learning_rate: float = LEARNING_RATE,
) -> SoftmaxClassifier:
    """Fit by full-batch Adam on the weighted cross-entropy plus an L2 penalty."""
    index = {name: i for i, name in enumerate(classes)}
    if unknown := {label for label in labels if label not in index}:
        raise ValueError(f"labels not among the classes: {sorted(unknown)}")
    # float32: the input is wide (embedding and n-grams, thousands of columns), and single
    # precision halves the training time with the same decisions. The guard's n-grams stay
    # sparse (features.py): a step over its 14,624 training rows took 414 ms of CPU when
    # they were dense, 34 ms sparse.
    x = vectors if isinstance(vectors, Features) else np.asarray(vectors, dtype=np.float32)
    n, dimension = x.shape
    targets = np.zeros((n, len(classes)), dtype=np.float32)
    targets[np.arange(n), [index[label] for label in labels]] = 1.0
    weights_of_rows = np.ones(n) if sample_weights is None else np.asarray(sample_weights, float)
    weights_of_rows = (weights_of_rows / weights_of_rows.sum()).astype(np.float32)
    params = [np.zeros((dimension, len(classes)), np.float32), np.zeros(len(classes), np.float32)]
    moments = [np.zeros_like(p) for p in params]
    squares = [np.zeros_like(p) for p in params]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, steps + 1):
        probabilities = softmax_rows((x @ params[0]) * INPUT_SCALE + params[1])
        error = (probabilities - targets) * weights_of_rows[:, None]
        backward = x.transposed_times(error) if isinstance(x, Features) else x.T @ error
        gradients = [backward * INPUT_SCALE + l2 * params[0], error.sum(axis=0)]
        for i, gradient in enumerate(gradients):
            moments[i] = beta1 * moments[i] + (1 - beta1) * gradient
            squares[i] = beta2 * squares[i] + (1 - beta2) * gradient * gradient
            corrected = moments[i] / (1 - beta1**step)
            scale = np.sqrt(squares[i] / (1 - beta2**step)) + eps
            params[i] = params[i] - learning_rate * corrected / scale
    return SoftmaxClassifier(
        tuple(classes), params[0].astype(np.float32), params[1].astype(np.float32)
    )
