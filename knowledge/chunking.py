"""Split a document into passages that follow its headings. Pure: text in, chunks out.

Each chunk is an exact span of the document's text (`text[start:end]`), titled by its heading
path, at most `max_chars` long, overlapping its predecessor in the same section by up to
`overlap_chars` (cut at a sentence or word boundary). Ids are stable:
hash(organisation, document, version, position).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge.documents import Chunk, SourceDocument

MAX_CHARS = 900
OVERLAP_CHARS = 150
_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t]*\n))*")
_SENTENCE = re.compile(r"[^.!?…\n]+(?:[.!?…]+[\"»”')\]]*|\n|$)")


@dataclass(frozen=True, slots=True)
class Section:
    heading_path: tuple[str, ...]
    start: int
    end: int


def chunk_id(organization_id: str, document_id: str, version: int, position: int) -> str:
    key = f"{organization_id}|{document_id}|{version}|{position}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def sections(text: str, title: str) -> list[Section]:
    """Body spans between headings, each with the path of headings above it."""
    found: list[Section] = []
    stack: list[tuple[int, str]] = []
    cursor = 0
    path: tuple[str, ...] = (title,)
    for match in _HEADING.finditer(text):
        if text[cursor : match.start()].strip():
            found.append(Section(path, cursor, match.start()))
        level, heading = len(match.group(1)), match.group(2).strip()
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, heading))
        headings = tuple(h for _, h in stack)
        path = headings if headings[0] == title else (title, *headings)
        cursor = match.end()
    if text[cursor:].strip():
        found.append(Section(path, cursor, len(text)))
    return found


def _pieces(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Paragraph spans, with paragraphs longer than max_chars cut at sentences, then words."""
    for paragraph in _PARAGRAPH.finditer(text, start, end):
        p_start, p_end = paragraph.span()
        if p_end - p_start <= max_chars:
            yield p_start, p_end
            continue
        for sentence in _SENTENCE.finditer(text, p_start, p_end):
            s_start, s_end = sentence.span()
            while s_end - s_start > max_chars:
                cut = text.rfind(" ", s_start, s_start + max_chars)
                cut = cut if cut > s_start else s_start + max_chars
                yield s_start, cut
                s_start = cut
            if text[s_start:s_end].strip():
                yield s_start, s_end


def _overlap_start(text: str, start: int, end: int, overlap_chars: int) -> int:
    """Where the overlap into the previous chunk begins: a sentence or word start."""
    if overlap_chars <= 0 or end - start <= overlap_chars:
        return end
    window_start = end - overlap_chars
    # The earliest sentence boundary in the window keeps as much context as allowed.
    boundaries = [
        i
        for i in (text.find(". ", window_start, end), text.find("\n", window_start, end))
        if i != -1
    ]
    if boundaries:
        return min(boundaries) + 1
    space = text.find(" ", window_start, end)
    return space + 1 if space != -1 else end


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def chunk_document(
    document: SourceDocument,
    *,
    organization_id: str,
    document_id: str,
    version: int,
    max_chars: int = MAX_CHARS,
    overlap_chars: int = OVERLAP_CHARS,
) -> list[Chunk]:
    text = document.text
    spans: list[tuple[tuple[str, ...], int, int]] = []
    for section in sections(text, document.title):
        chunk_start: int | None = None
        chunk_end = section.start
        for p_start, p_end in _pieces(text, section.start, section.end, max_chars):
            if chunk_start is not None and p_end - chunk_start > max_chars:
                spans.append((section.heading_path, chunk_start, chunk_end))
                overlap = _overlap_start(text, chunk_start, chunk_end, overlap_chars)
                chunk_start = overlap if p_end - overlap <= max_chars else p_start
            elif chunk_start is None:
                chunk_start = p_start
            chunk_end = p_end
        if chunk_start is not None:
            spans.append((section.heading_path, chunk_start, chunk_end))
    chunks = []
    for position, (path, raw_start, raw_end) in enumerate(spans):
        start, end = _strip_span(text, raw_start, raw_end)
        chunks.append(
            Chunk(
                id=chunk_id(organization_id, document_id, version, position),
                organization_id=organization_id,
                document_id=document_id,
                document_name=document.name,
                version=version,
                position=position,
                heading_path=path,
                text=text[start:end],
                start=start,
                end=end,
                kind=document.kind,
                language=document.language,
                skill=document.skill,
            )
        )
    return chunks


def embedding_text(chunk: Chunk) -> str:
    """What is embedded and indexed: the heading path gives short passages their context."""
    return f"{chunk.title}\n{chunk.text}"
