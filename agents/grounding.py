"""Sources an agent may cite, and how they are shown to a model.

Every agent run retrieves passages for one organisation and labels them S1, S2, ... A model
cites labels, never raw ids; labels that were not handed to it cannot become citations, so a
citation always points to a chunk retrieved in this run, for this organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from agents.quotes import plain_quote, reads_as_instructions
from knowledge.documents import Chunk, DocumentKind
from knowledge.retrieval import Passage, Retriever

# Kinds a company-scale question draws on: culture, values, strategy, coming transformations.
COMPANY_KINDS = (
    DocumentKind.VALUE,
    DocumentKind.CULTURE,
    DocumentKind.STRATEGY,
    DocumentKind.EVENT,
)
_LABEL = re.compile(r"\[(S\d{1,2})\]")


@dataclass(frozen=True, slots=True)
class Source:
    label: str
    chunk: Chunk
    similarity: float | None = None
    lexical_rank: int | None = None
    score: float = 0.0  # the fused search score, relative to this run's results

    @property
    def name(self) -> str:
        """What a person calls this passage: a value by its own heading ("Parler vrai"),
        anything else by its document's title ("Séminaire Cap Horizon 2026")."""
        path = self.chunk.heading_path
        if not path:
            return self.chunk.document_name
        return path[-1] if self.chunk.kind == DocumentKind.VALUE else path[0]

    def citation(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk.id,
            "document_id": self.chunk.document_id,
            "title": self.chunk.title,
            "quote": plain_quote(self.chunk.text),
            "kind": self.chunk.kind.value,
        }


def label_passages(passages: Iterable[Passage]) -> list[Source]:
    """Unique passages in first-seen order, labelled S1..Sn; a passage that reads as
    instructions to the assistant is left out (agents.quotes)."""
    seen: dict[str, Passage] = {}
    for passage in passages:
        if passage.chunk.id not in seen and not reads_as_instructions(passage.chunk.text):
            seen[passage.chunk.id] = passage
    return [
        Source(f"S{index}", p.chunk, p.similarity, p.lexical_rank, p.score)
        for index, p in enumerate(seen.values(), start=1)
    ]


def search_groups(
    retriever: Retriever, groups: Sequence[tuple[str, Sequence[DocumentKind], int]]
) -> list[Source]:
    """Run one hybrid search per (query, kinds, k) group and label the union."""
    passages: list[Passage] = []
    for query, kinds, k in groups:
        passages.extend(retriever.search(query, k, kinds=kinds))
    return label_passages(passages)


def neutralise(text: str) -> str:
    """Data may not close or open our delimiters: angle brackets become look-alikes."""
    return text.replace("<", "‹").replace(">", "›")


def sources_block(sources: Sequence[Source], max_chars: int = 2000) -> str:
    """The sources as delimited data for a prompt, each cut to `max_chars`."""
    if not sources:
        return "<sources>\n(none found)\n</sources>"
    blocks = [
        f'<source label="{s.label}" kind="{s.chunk.kind.value}" '
        f'title="{neutralise(s.chunk.title)}">\n{neutralise(s.chunk.text[:max_chars])}\n</source>'
        for s in sources
    ]
    return "\n".join(["<sources>", *blocks, "</sources>"])


def cited_labels(text: str) -> list[str]:
    """Labels cited inline as [S3], in order of first appearance."""
    return list(dict.fromkeys(_LABEL.findall(text)))


def citations_for(labels: Iterable[str], sources: Sequence[Source]) -> list[dict[str, Any]]:
    by_label = {s.label: s for s in sources}
    return [by_label[label].citation() for label in labels if label in by_label]
