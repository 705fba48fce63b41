"""What every eval suite runs against: both sample packs indexed in a scratch knowledge base,
the configured chat model (None = the composer) and the safety guard."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.llm import ChatModel
from agents.safety import SafetyGuard
from evals.scenarios import PackOrg, index_pack
from knowledge.base import KnowledgeBase
from knowledge.embeddings import Embedder, UniversalSentenceEncoder
from knowledge.loaders import load_document

DATASETS = Path(__file__).resolve().parent / "datasets"
PACKS = ("horizon-fr", "brightwater-en")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One object per non-blank line (the datasets' and the labelled files' format)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def read_dataset(name: str, limit: int | None = None) -> list[dict[str, Any]]:
    """The cases of a dataset; with `limit`, that many spread evenly over the file. The files
    are grouped (one pack, then the other; messages, then documents), so the first lines
    alone would be one pack and one kind of case."""
    cases = read_jsonl(DATASETS / f"{name}.jsonl")
    if not limit or limit >= len(cases):
        return cases
    step = len(cases) / limit
    return [cases[int(index * step)] for index in range(limit)]


@dataclass
class EvalContext:
    knowledge: KnowledgeBase
    orgs: dict[str, PackOrg]
    llm: ChatModel | None
    guard: SafetyGuard  # what the chat turns go through
    embedder: Embedder
    safety_guard: SafetyGuard  # what the safety suite measures: with the model, if any
    timings: dict[str, list[float]] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        return f"{self.llm.provider}:{self.llm.model}" if self.llm else "composer"

    def timed(self, suite: str, started: float, outcome: str | None = None) -> None:
        """The time since `started`, under the suite (answers only, not model errors) and,
        with a model, under `suite.outcome` too: `model` (its answer kept), `fallback` (the
        composer's, after the model's failed), `escalated`, `error`. A fallback's time
        includes the model calls that failed."""
        elapsed = (time.perf_counter() - started) * 1000
        if outcome != "error":
            self.timings.setdefault(suite, []).append(elapsed)
        if outcome is not None and self.llm is not None:
            self.timings.setdefault(f"{suite}.{outcome}", []).append(elapsed)

    @contextmanager
    def planted(self, pack: str, name: str, text: str) -> Iterator[None]:
        """A document added to a pack's organisation for one case, removed afterwards."""
        org = self.orgs[pack].knowledge
        document = load_document(f"{name}.md", text.encode())
        org.index_document(document, document_id=name, version=1)
        try:
            yield
        finally:
            org.remove_document(name)


@contextmanager
def eval_context(llm: ChatModel | None, guard_uses_model: bool = True) -> Iterator[EvalContext]:
    embedder = UniversalSentenceEncoder()
    with tempfile.TemporaryDirectory(prefix="interlude-eval-") as folder:
        knowledge = KnowledgeBase(Path(folder), embedder)
        orgs = {slug: index_pack(knowledge, slug) for slug in PACKS}
        safety_guard = SafetyGuard(embedder, llm)
        guard = safety_guard if guard_uses_model else SafetyGuard(embedder, None)
        yield EvalContext(knowledge, orgs, llm, guard, embedder, safety_guard)
