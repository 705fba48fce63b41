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
    x, targets = training_inputs(vectors, labels, classes)
    n, dimension = x.shape
    one_hot = np.zeros((n, len(classes)), dtype=np.float32)
    one_hot[np.arange(n), targets] = 1.0
    weights_of_rows = np.ones(n) if sample_weights is None else np.asarray(sample_weights, float)
    weights_of_rows = (weights_of_rows / weights_of_rows.sum()).astype(np.float32)
    adam = Adam(
        [np.zeros((dimension, len(classes)), np.float32), np.zeros(len(classes), np.float32)],
        learning_rate,
    )
    for _ in range(steps):
        weights, bias = adam.params
        probabilities = softmax_rows((x @ weights) * INPUT_SCALE + bias)
        error = (probabilities - one_hot) * weights_of_rows[:, None]
        backward = transposed_times(x, error)
        adam.step([backward * INPUT_SCALE + l2 * weights, error.sum(axis=0)])
    weights, bias = adam.params
    return SoftmaxClassifier(tuple(classes), weights.astype(np.float32), bias.astype(np.float32))


def training_inputs(
    vectors: Inputs, labels: Sequence[str], classes: Sequence[str]
) -> tuple[Inputs, np.ndarray]:
    """The rows as a classifier trains on them, and each row's class index; a label outside
    `classes` is an error. float32: the input is wide (embedding and n-grams, thousands of
    columns), and single precision halves the training time with the same decisions. The
    guard's n-grams stay sparse (features.py): a step of the linear model over its 14,624
    training rows took 414 ms of CPU when they were dense, 34 ms sparse."""
    index = {name: i for i, name in enumerate(classes)}
    if unknown := {label for label in labels if label not in index}:
        raise ValueError(f"labels not among the classes: {sorted(unknown)}")
    x = vectors if isinstance(vectors, Features) else np.asarray(vectors, dtype=np.float32)
    return x, np.array([index[label] for label in labels])


def transposed_times(x: Inputs, matrix: np.ndarray) -> np.ndarray:
    """The transposed rows times a (rows, k) matrix: a gradient over the columns."""
    return x.transposed_times(matrix) if isinstance(x, Features) else x.T @ matrix


class Adam:
    """Adam's update of a list of parameters, in place of each array in `params`."""

    def __init__(self, params: list[np.ndarray], learning_rate: float) -> None:
        self.params = params
        self.learning_rate = learning_rate
        self.moments = [np.zeros_like(p) for p in params]
        self.squares = [np.zeros_like(p) for p in params]
        self.steps = 0

    def step(self, gradients: Sequence[np.ndarray]) -> None:
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        self.steps += 1
        for i, gradient in enumerate(gradients):
            self.moments[i] = beta1 * self.moments[i] + (1 - beta1) * gradient
            self.squares[i] = beta2 * self.squares[i] + (1 - beta2) * gradient * gradient
            corrected = self.moments[i] / (1 - beta1**self.steps)
            scale = np.sqrt(self.squares[i] / (1 - beta2**self.steps)) + eps
            self.params[i] = self.params[i] - self.learning_rate * corrected / scale
