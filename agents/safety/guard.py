"""The safety guard: rules, a classifier over sentence embeddings, the conversation, and
(optionally) a model.

`check` screens a learner's message before coaching, read alone and with the learner's last
few messages; `check_reply` screens the companion's reply after generation. A verdict has a
category, hence a tier (`agents.safety.taxonomy`), which decides what the app does.

Layers only add: a rule hit stands (the classifier may only make it more urgent), and the
model, asked last when nothing else flagged, changes nothing when it fails or rambles.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
from opentelemetry.trace import NoOpTracer, Tracer
from threadpoolctl import ThreadpoolController

from agents.llm import ChatMessage, ChatModel, ModelError
from agents.safety import cache as disk
from agents.safety.classifier import NONE, SoftmaxClassifier
from agents.safety.features import features
from agents.safety.hidden_layer import HiddenLayerClassifier, train_hidden_layer
from agents.safety.model_layer import FOCUS, MAX_MODEL_CHARS, SCHEMA, TASK, parse_model_answer
from agents.safety.replies import match_reply
from agents.safety.rules import match_pairs, match_request
from agents.safety.taxonomy import CATEGORIES, TIER_OF, TIERS, Category, Tier, tier_rank
from knowledge.embeddings import Embedder, Vectors

Source = Literal["rules", "classifier", "model"]
Scope = Literal["message", "conversation"]

CORPUS_PATH = Path(__file__).with_name("corpus.jsonl")
CLASSES: tuple[str, ...] = (NONE, *CATEGORIES)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The least tier score (summed class probability, best unit) that raises each tier.

    Chosen on the dev split only (the corpus read out-of-fold, rules on): the values with the
    highest urgent recall (then harmful recall) while false urgent answers stay within 0.5 % and
    false flags within 2 % of ordinary messages there. `python -m evals sweep-safety` makes
    the choice again (report: evals/reports/safety/sweep.json). Last on 2026-12-07 (session
    19), on the 7,072 learner messages folded by writer, after 274 unusual harmless texts
    (pasted mail, markers, jargon; read by the readers, not by the bounds) joined the corpus:
    support 0.40 → 0.37, out of scope 0.25 → 0.35, urgent 0.91 → 0.90 (at the old values
    2.1 % false flags on dev, over the bound); dev urgent recall 0.962, harmful recall 0.972,
    false flags 2.0 %, false urgent 0.46 %. Again on 2026-12-07 (session 20), after two
    writers' files (au-fr, av-en: 398 messages, a fifth of their ordinary ones plain questions
    about the employer or off the program) joined, on 7,470 learner messages (at the values
    above, false urgent 0.56 %, over the bound): urgent 0.90 → 0.94, support 0.37 → 0.34, out
    of scope 0.35 → 0.34, margin 0.09 → 0.08; dev urgent recall 0.961, harmful recall 0.972,
    false flags 1.99 %, false urgent 0.49 %. Again on 2026-12-07 (session 21), after the 398
    ordinary messages of the relevance dev and train splits (coaching situations, questions
    about the employer, off-program questions; nine of them tax, rights or health questions
    labelled out of scope) joined, on 7,868 learner messages: support 0.34 → 0.33, out of
    scope 0.34 → 0.36; dev urgent recall 0.955, harmful recall 0.970, false flags 2.00 %,
    false urgent 0.44 %. Again on 2026-12-07 (session 23), once the whole of a short message
    of several sentences was read as its own embedding rather than the mean of its sentences'
    (the old values gave 2.8 % false flags on dev): urgent 0.94 → 0.95, support 0.33 → 0.43,
    out of scope 0.36 → 0.40, margin 0.08 → 0.11; dev urgent recall 0.960, harmful recall
    0.981, false flags 2.00 %, false urgent 0.46 %. `python -m evals eval --suite safety`
    gives every split."""

    urgent: float = 0.95
    support: float = 0.43
    out_of_scope: float = 0.40
    # The mean cosine of the NEIGHBOURS nearest urgent training messages minus that of the
    # nearest other ones.
    urgent_margin: float = 0.11

    def of(self, tier: Tier) -> float:
        threshold: float = getattr(self, tier)
        return threshold


DEFAULT_THRESHOLDS = Thresholds()
# How many nearest training messages on each side the urgent margin compares.
NEIGHBOURS = 3
# The margin is bounded against the other messages PROBE at a time, those nearest to urgent
# ones first (kept first in `RiskReader.others`): the mean of the nearest among a subset is
# never above the mean of the nearest among all, so a bound below the threshold settles it,
# exactly, without reading every other message (17k rows, 35 MB: read whole, about 3 ms per
# vector, memory-bound). On the test split the first block settles about 4 messages in 5.
PROBE = 1024
# The classifier reads each sentence (in windows of WINDOW_WORDS words), and the whole text
# when short: a signal is found in one clause of a long message, and an indirect one in the
# whole of a short message.
MAX_UNITS = 200
WINDOW_WORDS = 40
WHOLE_TEXT_MAX_CHARS = 600
# How many of the learner's previous messages are read with the new one, how much of them,
# and how harmful the new message must look alone (1 - P(ordinary)) for them to be read.
HISTORY_MESSAGES = 3
CONVERSATION_MAX_CHARS = 1200
CONVERSATION_FLOOR = 0.4
_SENTENCES = re.compile(r"(?<=[.!?;:…])\s+|\n+")


@dataclass(frozen=True, slots=True)
class SafetyVerdict:
    category: Category | None  # None = nothing for the guard: coaching as usual
    source: Source | None
    score: float  # rule hit = 1.0; classifier = the tier's probability; model = its confidence
    scope: Scope = "message"

    @property
    def flagged(self) -> bool:
        return self.category is not None

    @property
    def tier(self) -> Tier | None:
        return None if self.category is None else TIER_OF[self.category]


SAFE = SafetyVerdict(None, None, 0.0)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    language: str
    label: str  # "none" or a category
    origin: str = ""  # who wrote it (corpus.jsonl's `origin`): the dev split folds by writer


@cache
def load_corpus(path: Path = CORPUS_PATH) -> tuple[Example, ...]:
    """The labelled training messages (see agents/safety/README.md for where they come from)."""
    return parse_corpus(path.read_bytes(), path)


def parse_corpus(data: bytes, path: Path = CORPUS_PATH) -> tuple[Example, ...]:
    rows = [json.loads(line) for line in data.decode("utf-8").splitlines() if line]
    if unknown := {r["label"] for r in rows} - set(CLASSES):
        raise ValueError(f"{path}: unknown labels {sorted(unknown)}")
    return tuple(Example(r["text"], r["language"], r["label"], r.get("origin", "")) for r in rows)


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.split(text) if len(s.strip()) > 2]


def reading_units(text: str) -> list[str]:
    """What the classifier reads of a text: its sentences or windows, and the text if short."""
    units = []
    for sentence in split_sentences(text):
        words = sentence.split()
        step = WINDOW_WORDS // 2  # overlapping windows: a clause is never cut in two only
        starts = range(0, max(len(words) - step, 1), step) if len(words) > WINDOW_WORDS else [0]
        units += [" ".join(words[i : i + WINDOW_WORDS]) for i in starts]
    if len(text) <= WHOLE_TEXT_MAX_CHARS and units != [text.strip()]:
        units.insert(0, text)
    return units[:MAX_UNITS] or [text]


def training_rows(examples: Sequence[Example]) -> tuple[list[str], list[str]]:
    """Texts and labels the classifier learns from: every message whole, and each sentence of
    an ordinary message as ordinary too (at run time single sentences are read, and an
    ordinary sentence must look ordinary alone)."""
    texts, labels = [], []
    for example in examples:
        texts.append(example.text)
        labels.append(example.label)
        if example.label == NONE:
            sentences = split_sentences(example.text)
            if len(sentences) > 1:
                texts += sentences
                labels += [NONE] * len(sentences)
    return texts, labels


@dataclass(frozen=True, slots=True)
class RiskReader:
    """What the guard learned from the corpus: the classifier, and the training vectors of
    urgent and of all other messages for the nearest-example check of the urgent tier."""

    classifier: SoftmaxClassifier | HiddenLayerClassifier
    urgent: Vectors | None = None  # rows of urgent training messages
    urgent_labels: tuple[Category, ...] = ()
    others: Vectors | None = None  # rows of every other message, ordinary or not urgent

    def __post_init__(self) -> None:
        # Kept column by column (Fortran order): `vectors @ rows.T` then reads each training
        # vector as one contiguous run, and OpenBLAS's product with a few message vectors took
        # half the time (one core, 17k others: 10.1 -> 5.1 ms for three vectors). The same
        # numbers, the same products; a saved reader keeps the order (numpy's format records it).
        for name in ("urgent", "others"):
            if (rows := getattr(self, name)) is not None:
                object.__setattr__(self, name, np.asfortranarray(rows))

    def probabilities(self, texts: Sequence[str], vectors: Vectors) -> np.ndarray:
        """Per text (row), the probability of each of CLASSES."""
        return self.classifier.probabilities(features(vectors, texts))

    def verdict(
        self,
        probabilities: np.ndarray,
        vectors: Vectors,
        thresholds: Thresholds,
        *,
        scope: Scope = "message",
    ) -> SafetyVerdict:
        found = decide(probabilities, thresholds, scope=scope)
        if found.tier == "urgent":
            return found
        # Nearer to urgent messages than to any others, by a margin: urgent too. An indirect
        # sign ("I gave my cat away") resembles a few examples more than it moves a linear
        # model (dev split: urgent recall 0.42 → 0.60 at the same false alerts; against
        # ordinary messages only, 0.58, and harassment was promoted to violence). The mean of
        # the NEIGHBOURS nearest on each side, not the single nearest: one stray training
        # sentence decides less (dev, 2,675 messages, at most 0.5 % false urgent answers:
        # urgent recall 0.874 with the nearest one, 0.923 with three).
        nearest = self.urgent_margins(vectors, at_least=thresholds.urgent_margin)
        if nearest is None:
            return found
        margins, nearest_categories = nearest
        row = int(margins.argmax())
        if margins[row] < thresholds.urgent_margin:
            return found
        return SafetyVerdict(
            nearest_categories[row], "classifier", round(float(margins[row]), 4), scope
        )

    def urgent_margins(
        self, vectors: Vectors, *, at_least: float | None = None
    ) -> tuple[np.ndarray, tuple[Category, ...]] | None:
        """Per row, its urgent margin (the mean cosine of the NEIGHBOURS nearest urgent training
        messages minus that of the nearest other ones) and the category of the nearest urgent
        training message; None when the reader keeps no training vectors, or when no row's
        margin can reach `at_least`. Public for the threshold sweep
        (evals/suites/safety_sweep.py), which must read what `verdict` reads.

        With `at_least`, the margin is bounded block by block (PROBE other messages at a time,
        those nearest to urgent ones first): the nearest among the rows read so far are never
        nearer than the nearest of all, so a bound below `at_least` settles a text exactly, and
        most texts are settled without reading every other message. Such settled rows keep
        their bound (above their margin, below `at_least`), not their margin."""
        if self.urgent is None or self.others is None:
            return None
        to_urgent = vectors @ self.urgent.T
        near_urgent = _nearest_mean(to_urgent)
        nearest = to_urgent.argmax(axis=1)
        categories = tuple(self.urgent_labels[int(i)] for i in nearest)
        if at_least is None:
            return near_urgent - _nearest_mean(vectors @ self.others.T), categories
        # The others are read a block at a time, nearest to urgent messages first: the first
        # block is the PROBE; after each, a row whose bound falls below `at_least` is settled
        # (a hair of slack: the same dot product may round differently in a smaller product).
        # `top` holds each row's k nearest so far (k: fewer when the reader keeps fewer others,
        # as `_nearest_mean` reads them).
        k = min(NEIGHBOURS, len(self.others))
        margins = np.empty(len(vectors), dtype=near_urgent.dtype)
        top = np.full((len(vectors), k), -np.inf, dtype=np.float32)
        open_rows = np.arange(len(vectors))
        for start in range(0, len(self.others), PROBE):
            block = vectors[open_rows] @ self.others[start : start + PROBE].T
            merged = np.hstack([top[open_rows], block])
            top[open_rows] = np.partition(merged, merged.shape[1] - k, axis=1)[:, -k:]
            margins[open_rows] = near_urgent[open_rows] - top[open_rows].mean(axis=1)
            open_rows = open_rows[margins[open_rows] >= at_least - 1e-5]
            if not len(open_rows):
                return None
        return margins, categories


def _nearest_mean(similarities: np.ndarray) -> np.ndarray:
    """Per row, the mean of its NEIGHBOURS highest similarities."""
    k = min(NEIGHBOURS, similarities.shape[1])
    top = np.partition(similarities, similarities.shape[1] - k, axis=1)[:, -k:]
    mean: np.ndarray = top.mean(axis=1)
    return mean


def train_reader(embedder: Embedder, examples: Sequence[Example]) -> RiskReader:
    """The classifier is trained twice. A harmful message of several sentences is labelled as a
    whole, but at run time its sentences are read one by one: after a first fit, the sentence
    that fit finds most harmful is added with the message's label (multiple-instance
    learning). Dev split (out-of-fold): harmful recall 0.87 → 0.89 and urgent recall
    0.76 → 0.82 at the same false alerts (measured on the first 515 messages of the corpus)."""
    texts, labels = training_rows(examples)
    vectors = embedder.embed(texts)
    first = train_hidden_layer(features(vectors, texts), labels, CLASSES)
    buried = [
        (e.label, sentences)
        for e in examples
        if e.label != NONE and len(sentences := split_sentences(e.text)) > 1
    ]
    signals, signal_labels = [], []
    if buried:
        # All sentences through the encoder in one call, then each message's most harmful one.
        every = [sentence for _, sentences in buried for sentence in sentences]
        probabilities = first.probabilities(features(embedder.embed(every), every))
        harm = 1.0 - probabilities[:, CLASSES.index(NONE)]
        start = 0
        for label, sentences in buried:
            end = start + len(sentences)
            signals.append(sentences[int(harm[start:end].argmax())])
            signal_labels.append(label)
            start = end
    if signals:
        vectors = np.vstack([vectors, embedder.embed(signals)])
        texts, labels = texts + signals, labels + signal_labels
    classifier = train_hidden_layer(features(vectors, texts), labels, CLASSES) if signals else first
    urgent = [i for i, label in enumerate(labels) if label in ("self_harm", "violence")]
    others = [i for i, label in enumerate(labels) if label not in ("self_harm", "violence")]
    urgent_rows = vectors[urgent] if urgent else None
    return RiskReader(
        classifier,
        urgent_rows,
        tuple(labels[i] for i in urgent),  # type: ignore[misc]
        _nearest_to_urgent_first(vectors[others], urgent_rows) if others else None,
    )


def _nearest_to_urgent_first(others: Vectors, urgent: Vectors | None) -> Vectors:
    """The other messages, those most similar to some urgent one first: the margin's bound
    (PROBE) reads the first rows, and these are the ones a risky-looking text is nearest to.
    The order changes no margin (a mean of the nearest is the same in any order)."""
    if urgent is None:
        return others
    block = 2048  # rows at a time: the full similarity matrix would be tens of MB
    closeness = np.concatenate(
        [(urgent @ others[i : i + block].T).max(axis=0) for i in range(0, len(others), block)]
    )
    ordered: Vectors = others[np.argsort(-closeness, kind="stable")]
    return ordered


def reader_arrays(reader: RiskReader) -> dict[str, np.ndarray]:
    arrays = disk.classifier_arrays(reader.classifier)
    if reader.urgent is not None:
        arrays |= {"urgent": reader.urgent, "urgent_labels": np.array(reader.urgent_labels)}
    if reader.others is not None:
        arrays["others"] = reader.others
    return arrays


def reader_from(arrays: dict[str, np.ndarray]) -> RiskReader:
    labels = tuple(str(label) for label in arrays.get("urgent_labels", ()))
    if unknown := set(labels) - set(CATEGORIES):
        raise ValueError(f"unknown categories {sorted(unknown)}")
    return RiskReader(
        disk.classifier_from(arrays),
        arrays.get("urgent"),
        labels,  # type: ignore[arg-type]
        arrays.get("others"),
    )


# Readers trained from the corpus, per embedding model: training takes a minute of CPU, and
# every app of a process (tests build many, each with its own data folder) reads with the same
# one, wherever it was loaded from.
_TRAINED: dict[tuple[str, str, int], RiskReader] = {}
_TRAINING = threading.Lock()


def corpus_reader(embedder: Embedder, cache_dir: Path | None = None) -> RiskReader:
    """The reader trained on the whole corpus with this embedding model, trained once per
    process; with `cache_dir`, loaded from there when the corpus, the code and the encoder
    are those it was trained with (agents/safety/cache.py), and saved there after training."""
    key = (type(embedder).__name__, embedder.model_name, embedder.dimension)
    with _TRAINING:
        if key not in _TRAINED:
            _TRAINED[key] = _cached_or_trained(embedder, cache_dir)
        elif cache_dir is not None:
            # Trained earlier in this process for an app without this folder: written there
            # too, or a process started on the folder (another server, a worker) trains again.
            keep_reader(_TRAINED[key], embedder, cache_dir, CORPUS_PATH)
        return _TRAINED[key]


def keep_reader(reader: RiskReader, embedder: Embedder, cache_dir: Path, corpus: Path) -> None:
    """Save `reader`, trained on `corpus`, in `cache_dir` unless a file holds it already."""
    digest = disk.reader_key(corpus.read_bytes(), embedder)
    if not disk.cache_path(cache_dir, digest).exists():
        disk.save_arrays(cache_dir, digest, reader_arrays(reader))


def _cached_or_trained(embedder: Embedder, cache_dir: Path | None) -> RiskReader:
    if cache_dir is None:
        return train_reader(embedder, load_corpus())
    return cached_reader(embedder, cache_dir, CORPUS_PATH)


def cached_reader(embedder: Embedder, cache_dir: Path, corpus_path: Path) -> RiskReader:
    """The reader of this corpus file from `cache_dir` if saved there, else trained and saved."""
    data = corpus_path.read_bytes()  # hashed and trained from the same bytes
    digest = disk.reader_key(data, embedder)
    arrays = disk.load_arrays(cache_dir, digest)
    if arrays is not None:
        try:
            return reader_from(arrays)
        except (KeyError, ValueError) as exc:  # a file of the right name but wrong content
            disk.logger.warning("safety reader cache unusable (%s): training again", exc)
    reader = train_reader(embedder, parse_corpus(data, corpus_path))
    disk.save_arrays(cache_dir, digest, reader_arrays(reader))
    return reader


def tier_scores(probabilities: np.ndarray) -> dict[Tier, np.ndarray]:
    """Per row, the summed probability of each tier's categories."""
    return {
        tier: probabilities[:, [CLASSES.index(c) for c in CATEGORIES if TIER_OF[c] == tier]].sum(
            axis=1
        )
        for tier in TIERS
    }


def decide(
    probabilities: np.ndarray, thresholds: Thresholds, *, scope: Scope = "message"
) -> SafetyVerdict:
    """The most urgent tier whose score passes its threshold on some row, and the most likely
    category of that tier on the row where it scored highest."""
    scores = tier_scores(probabilities)
    for tier in TIERS:
        row = int(scores[tier].argmax())
        if scores[tier][row] >= thresholds.of(tier):
            candidates = [c for c in CATEGORIES if TIER_OF[c] == tier]
            category = max(candidates, key=lambda c: probabilities[row, CLASSES.index(c)])
            return SafetyVerdict(category, "classifier", round(float(scores[tier][row]), 4), scope)
    return SAFE


@cache
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()  # inspects the loaded libraries once (about 20 ms)


def harm_of(probabilities: np.ndarray) -> float:
    """How far from ordinary the most worrying row looks: 1 - P(ordinary)."""
    return float(1.0 - probabilities[:, CLASSES.index(NONE)].min())


def more_urgent(first: SafetyVerdict, second: SafetyVerdict) -> SafetyVerdict:
    """The verdict of the higher tier; the first on a tie (rules come first)."""
    return second if tier_rank(second.tier) > tier_rank(first.tier) else first


class SafetyGuard:
    """Thread-safe; the classifier is trained from the corpus on first use in the process
    (about 25 s on 2 cores; `warm_up` trains it in the background, on one thread at a lower
    priority: about 45 s)."""

    def __init__(
        self,
        embedder: Embedder | None = None,
        model: ChatModel | None = None,
        *,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        reader: RiskReader | None = None,
        cache_dir: Path | None = None,
        tracer: Tracer | None = None,
    ) -> None:
        """`cache_dir`: where the trained reader is kept between processes (None: trained
        in every process). `tracer`: each check is a span holding its tier, never the text."""
        self.tracer = tracer or NoOpTracer()
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.model = model
        self.thresholds = thresholds
        self._reader = reader
        self._lock = threading.Lock()

    def warm_up(self) -> threading.Thread | None:
        """Train the classifier in a background thread, so the first message does not wait.
        The caller joins the thread before the process ends (numpy must not be torn down under
        it)."""
        if self.embedder is None:
            return None
        thread = threading.Thread(target=self._train_quietly, name="safety-warm-up", daemon=True)
        thread.start()
        return thread

    def _train_quietly(self) -> None:
        """Training in the background must not starve the requests being served: one BLAS
        thread, and (on Linux) a lower priority for this thread only. Seen in CI: a model
        server on the same two cores timed out while the guard trained at full speed."""
        # Not Linux, or not allowed: train at normal priority.
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        with _blas_controller().limit(limits=1, user_api="blas"):
            self.reader()

    def check(self, text: str, history: Sequence[str] = ()) -> SafetyVerdict:
        """A learner's message, before any coaching is generated for it. `history` holds the
        learner's previous messages, oldest first (only the last few are read)."""
        # One BLAS thread: the products here are small, and a second thread spinning on them
        # doubled the CPU per message (p95 13.8 → 6.5 ms on the test split) for no wall time.
        # The span holds the tier only, no exception's message: it could quote the text.
        with (
            self.tracer.start_as_current_span(
                "safety.check", record_exception=False, set_status_on_exception=False
            ) as span,
            _blas_controller().limit(limits=1, user_api="blas"),
        ):
            verdict = self._check(text, history)
            span.set_attribute("interlude.safety.tier", verdict.tier or "none")
            return verdict

    def _check(self, text: str, history: Sequence[str]) -> SafetyVerdict:
        if not text.strip():
            return SAFE
        category = match_request(text)
        rules = SAFE if category is None else SafetyVerdict(category, "rules", 1.0)
        verdict, harm = rules, 0.0
        if self.embedder is not None:
            probabilities, vectors = self.read_units(text)
            verdict = more_urgent(
                rules, self.reader().verdict(probabilities, vectors, self.thresholds)
            )
            harm = harm_of(probabilities)
        # The conversation is read only when this message shows some sign: reading it costs
        # an embedding of the last messages together (about 10 ms), on every turn otherwise.
        # The pair rules cost a few regular expressions, and are read over it on every turn.
        if verdict.tier != "urgent":
            verdict = more_urgent(verdict, self.conversation_pairs(text, history))
        if verdict.tier != "urgent" and (harm >= CONVERSATION_FLOOR or verdict.flagged):
            verdict = more_urgent(verdict, self.conversation(text, history))
        if verdict.flagged:
            return verdict
        return self._ask_model(text, "learner")

    def check_reply(self, text: str) -> SafetyVerdict:
        """The companion's reply: no medical, legal or clinical advice, no encouraged harm."""
        # No exception's message, as an event or a status: it could quote the text.
        with self.tracer.start_as_current_span(
            "safety.check_reply", record_exception=False, set_status_on_exception=False
        ) as span:
            verdict = self._check_reply(text)
            span.set_attribute("interlude.safety.tier", verdict.tier or "none")
            return verdict

    def _check_reply(self, text: str) -> SafetyVerdict:
        if not text.strip():
            return SAFE
        category = match_reply(text)
        if category is not None:
            return SafetyVerdict(category, "rules", 1.0)
        return self._ask_model(text, "reply")

    def read_units(self, text: str) -> tuple[np.ndarray, Vectors]:
        """What the classifier makes of `text` alone: per reading unit (`reading_units`), the
        reader's probability of each of CLASSES, and the unit's vector. The one path from a
        text to its reading, for `check` and for the threshold sweep
        (evals/suites/safety_sweep.py)."""
        reader, units = self.reader(), reading_units(text)  # trained first, as before
        vectors = self._embed(text, units)
        return reader.probabilities(units, vectors), vectors

    @staticmethod
    def conversation_pairs(text: str, history: Sequence[str]) -> SafetyVerdict:
        """Two signs urgent only together (`match_pairs`) spread over the learner's last
        messages: "je ne dors plus depuis des semaines", then "je pense à tout arrêter"."""
        earlier = [m for m in history if m.strip()][-HISTORY_MESSAGES:]
        if not earlier:
            return SAFE
        category = match_pairs("\n".join([*earlier, text]))
        if category is None or any(match_pairs(m) for m in earlier):
            return SAFE  # or an earlier message got the urgent answer already
        return SafetyVerdict(category, "rules", 1.0, "conversation")

    def conversation(self, text: str, history: Sequence[str]) -> SafetyVerdict:
        """Risk spread over the learner's last messages: the messages read together, counted
        only when no earlier message alone reached that tier (it was answered then)."""
        earlier = [m for m in history if m.strip()][-HISTORY_MESSAGES:]
        if self.embedder is None or not earlier:
            return SAFE
        reader = self.reader()
        together = "\n".join([*earlier, text])[-CONVERSATION_MAX_CHARS:]
        texts = [together, *earlier]
        # One at a time: the earlier messages were embedded alone when retrieval read them,
        # and the embedder keeps single short texts.
        vectors = np.vstack([self.embedder.embed([t]) for t in texts])
        probabilities = reader.probabilities(texts, vectors)

        def alone(i: int, scope: Scope = "message") -> SafetyVerdict:
            rows = slice(i, i + 1)
            return reader.verdict(probabilities[rows], vectors[rows], self.thresholds, scope=scope)

        verdict = alone(0, "conversation")
        before = max(tier_rank(alone(i).tier) for i in range(1, len(texts)))
        return verdict if tier_rank(verdict.tier) > before else SAFE

    def _embed(self, text: str, units: list[str]) -> Vectors:
        """The units' embeddings. A short message of several sentences is embedded whole too,
        alone, so the embedder keeps it: the chat's search embeds the same text next and gets
        it back, and a turn pays no second pass. (Until 2026-12-07 the whole message was read
        as the mean of its sentences' vectors, to save that pass in the guard; the reader
        learns from whole messages, and the whole vector reads them better: dev, thresholds
        chosen again for each, urgent recall 0.955 → 0.960, harmful 0.970 → 0.981 at the same
        bounds; README, "Safety guard".)"""
        if self.embedder is None:
            raise RuntimeError("The safety classifier needs an embedder.")
        if len(units) == 1:
            return self.embedder.embed(units)  # kept by the embedder for retrieval
        whole = units[0] == text  # reading_units put the whole text first
        parts = self.embedder.embed(units[1:] if whole else units)
        if not whole:
            return parts
        return np.vstack([self.embedder.embed([text]), parts])

    def reader(self) -> RiskReader:
        with self._lock:
            if self._reader is None:
                if self.embedder is None:
                    raise RuntimeError("The safety classifier needs an embedder.")
                self._reader = corpus_reader(self.embedder, self.cache_dir)
            return self._reader

    def _ask_model(self, text: str, what: Literal["learner", "reply"]) -> SafetyVerdict:
        if self.model is None:
            return SAFE
        kind = "learner's message" if what == "learner" else "coaching companion's reply"
        messages = [
            ChatMessage("system", TASK.format(what=kind, focus=FOCUS[what])),
            ChatMessage("user", json.dumps({"text": text[:MAX_MODEL_CHARS]}, ensure_ascii=False)),
        ]
        try:
            completion = self.model.complete(messages, json_schema=SCHEMA, max_tokens=60)
        except ModelError:
            return SAFE  # rules and the classifier stand
        answer = parse_model_answer(completion.text)
        return SAFE if answer is None else SafetyVerdict(answer[0], "model", answer[1])
