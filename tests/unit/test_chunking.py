from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.chunking import chunk_document, chunk_id, sections
from knowledge.documents import DocumentKind, SourceDocument


def doc(text: str, title: str = "Guide") -> SourceDocument:
    return SourceDocument(
        name="guide.md", text=text, title=title, kind=DocumentKind.CULTURE, language="fr"
    )


def chunks_of(text: str, **kwargs: int) -> list:  # type: ignore[type-arg]
    return chunk_document(doc(text), organization_id="org", document_id="doc", version=1, **kwargs)


def test_sections_follow_the_heading_path() -> None:
    text = (
        "# Guide\n\nIntro.\n\n## Feedback\n\nDonner.\n\n### Au quotidien\n\nSouvent.\n\n"
        "## Audace\n\nOser."
    )
    found = [(s.heading_path, text[s.start : s.end].strip()) for s in sections(text, "Guide")]
    assert found == [
        (("Guide",), "Intro."),
        (("Guide", "Feedback"), "Donner."),
        (("Guide", "Feedback", "Au quotidien"), "Souvent."),
        (("Guide", "Audace"), "Oser."),
    ]


def test_long_sections_are_split_with_overlap_and_exact_spans() -> None:
    sentence = "Chaque retour précis aide l'équipe à progresser ensemble. "
    text = "## Feedback\n\n" + sentence * 40
    chunks = chunks_of(text, max_chars=400, overlap_chars=120)
    assert len(chunks) > 3
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 400
        assert chunk.heading_path == ("Guide", "Feedback")
    for before, after in itertools.pairwise(chunks):
        assert after.start < before.end  # they overlap
        assert before.end - after.start <= 120


def test_ids_are_stable_and_depend_on_version() -> None:
    text = "## A\n\nUn.\n\n## B\n\nDeux."
    first, again = chunks_of(text), chunks_of(text)
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id == chunk_id("org", "doc", 1, 0)
    assert chunk_id("org", "doc", 2, 0) != first[0].id
    assert chunk_id("other-org", "doc", 1, 0) != first[0].id


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300),
            st.builds(
                lambda h, t: f"\n## {h}\n", st.text("abcdé ", min_size=1, max_size=12), st.none()
            ),
        ),
        max_size=12,
    ).map("".join),
    st.integers(min_value=40, max_value=600),
)
def test_every_chunk_is_an_exact_bounded_span_and_nothing_is_lost(
    text: str, max_chars: int
) -> None:
    chunks = chunks_of(text, max_chars=max_chars, overlap_chars=max_chars // 4)
    covered = set()
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text.strip()
        assert len(chunk.text) <= max_chars
        covered.update(range(chunk.start, chunk.end))
    heading_chars = {i for s in _heading_spans(text) for i in range(*s)}
    lost = [i for i, c in enumerate(text) if not c.isspace() and i not in covered | heading_chars]
    assert lost == []


def _heading_spans(text: str) -> list[tuple[int, int]]:
    import re

    return [m.span() for m in re.finditer(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$", text, re.MULTILINE)]
