"""The trained reader on disk, so a restarted process loads it instead of training again.

Training reads the whole corpus through the encoder and fits the classifier twice: 45 to 90 s
of CPU on a busy two-core machine, which the first chat turn of a fresh process waits for.
What training produces depends only on the corpus, the code that turns it into a reader and
the encoder's weights; the file's name is a hash of the three, so any change to one of them
names another file and the stale one is never read. A file that cannot be read (cut short,
another format, tampered with) is ignored and replaced; a folder that cannot be written
leaves the reader in memory only. Arrays only (`allow_pickle=False`): loading a cache file
runs no code from it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from agents.safety.classifier import SoftmaxClassifier
from agents.safety.hidden_layer import HiddenLayerClassifier
from knowledge.embeddings import USE_SHA256, Embedder, UniversalSentenceEncoder

logger = logging.getLogger(__name__)

# The modules whose code decides what a reader learns from the corpus (guard.py builds the
# training rows and the multiple-instance step; features.py and rules.py make the classifier's
# input; hidden_layer.py fits it, with what it shares with the linear model in classifier.py).
_CODE = (
    "classifier.py",
    "hidden_layer.py",
    "features.py",
    "guard.py",
    "rules.py",
    "taxonomy.py",
    "cache.py",
)
FORMAT = 2


def embedder_fingerprint(embedder: Embedder) -> str:
    """What identifies the encoder's weights. USE's files are checked against these SHA-256 on
    load, so they are the files' own hashes; a remote model is known by its name and width."""
    if isinstance(embedder, UniversalSentenceEncoder):
        return ",".join(f"{name}={digest}" for name, digest in sorted(USE_SHA256.items()))
    return f"{type(embedder).__name__}:{embedder.model_name}:{embedder.dimension}"


def reader_key(corpus: bytes, embedder: Embedder) -> str:
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    digest.update(hashlib.sha256(corpus).digest())
    here = Path(__file__).parent
    for name in _CODE:
        digest.update(name.encode() + hashlib.sha256((here / name).read_bytes()).digest())
    digest.update(embedder_fingerprint(embedder).encode())
    return digest.hexdigest()


def cache_path(folder: Path, key: str) -> Path:
    return folder / f"safety-reader-{key[:24]}.npz"


def load_arrays(folder: Path, key: str) -> dict[str, np.ndarray] | None:
    """The arrays saved under `key`, or None when there is no usable file."""
    path = cache_path(folder, key)
    try:
        with np.load(path, allow_pickle=False) as saved:
            arrays = {name: saved[name] for name in saved.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        logger.warning("safety reader cache %s unreadable (%s): training again", path, exc)
        return None
    if str(arrays.get("key", "")) != key:
        logger.warning("safety reader cache %s is for another corpus or code: ignored", path)
        return None
    return arrays


def save_arrays(folder: Path, key: str, arrays: dict[str, np.ndarray]) -> bool:
    """Write atomically (a reader of the folder never sees half a file); False when the folder
    cannot be written, and the reader stays in memory only."""
    path = cache_path(folder, key)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".safety-reader-", suffix=".npz", dir=folder)
        try:
            with os.fdopen(handle, "wb") as file:
                # (numpy's stubs read a keyword dict as its allow_pickle flag)
                np.savez(file, key=np.array(key), **arrays)  # type: ignore[arg-type]
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("safety reader cache not written to %s (%s): kept in memory", folder, exc)
        return False
    return True


def classifier_arrays(
    classifier: SoftmaxClassifier | HiddenLayerClassifier,
) -> dict[str, np.ndarray]:
    arrays = {"classes": np.array(classifier.classes)}
    if isinstance(classifier, HiddenLayerClassifier):
        arrays |= {
            "hidden_weights": classifier.hidden_weights,
            "hidden_bias": classifier.hidden_bias,
        }
    return arrays | {"weights": classifier.weights, "bias": classifier.bias}


def classifier_from(arrays: dict[str, np.ndarray]) -> SoftmaxClassifier | HiddenLayerClassifier:
    classes = tuple(str(c) for c in arrays["classes"])
    weights, bias = arrays["weights"].astype(np.float32), arrays["bias"].astype(np.float32)
    if "hidden_weights" in arrays:
        return HiddenLayerClassifier(
            classes,
            arrays["hidden_weights"].astype(np.float32),
            arrays["hidden_bias"].astype(np.float32),
            weights,
            bias,
        )
    return SoftmaxClassifier(classes, weights, bias)
