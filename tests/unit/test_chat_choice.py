"""Which retrieved passage the companion quotes (agents.chat.agent.relevant_sources)."""

from __future__ import annotations

from agents.chat.agent import ON_TOPIC, SIMILAR_ENOUGH, relevant_sources
from agents.grounding import Source
from knowledge.documents import Chunk, DocumentKind


def _source(
    label: str,
    similarity: float,
    score: float,
    kind: DocumentKind = DocumentKind.CULTURE,
    text: str = "Nos ateliers livrent le lundi.",
) -> Source:
    chunk = Chunk(
        id=label,
        organization_id="org",
        document_id=f"{label}.md",
        document_name=f"{label}.md",
        version=1,
        position=0,
        heading_path=(label,),
        text=text,
        start=0,
        end=len(text),
        kind=kind,
        language="fr",
    )
    return Source(label, chunk, similarity, None, score)


def test_off_topic_nothing_is_cited_unless_a_close_enough_passage_echoes_the_message() -> None:
    low = ON_TOPIC - 0.02
    sources = [_source("S1", low, 1.0), _source("S2", SIMILAR_ENOUGH - 0.01, 0.9)]

    assert relevant_sources(sources, "Le carton jaune ?") == []
    assert [s.label for s in relevant_sources(sources, "Le carton jaune ?", {"S1"})] == ["S1"]
    # An echo does not lift a passage under the similarity floor.
    assert relevant_sources(sources, "Le carton jaune ?", {"S2"}) == []


def test_a_factual_question_puts_the_organisation_s_passages_before_the_program_s() -> None:
    module = _source("S1", 0.40, 1.0, DocumentKind.PROGRAM_MODULE)
    ritual = _source("S2", 0.30, 0.7, DocumentKind.CULTURE)

    asked = relevant_sources([module, ritual], "Quand a lieu le vendredi des essais ?")
    assert [s.label for s in asked] == ["S2", "S1"]
    # A situation keeps the search order.
    lived = relevant_sources([module, ritual], "Le vendredi des essais me stresse")
    assert lived[0].label == "S1"


def test_a_passage_that_speaks_of_the_skill_heard_is_preferred_when_nearly_as_close() -> None:
    plain = _source("S1", 0.30, 1.0)
    daring = _source("S2", 0.28, 0.8, text="Ici, on ose dire les choses en face.")
    far = _source("S3", 0.28, 0.5, text="Ici, on ose dire les choses en face.")
    message = "Je n'ose pas dire à ma cheffe que je ne suis pas d'accord"

    assert [s.label for s in relevant_sources([plain, daring], message)] == ["S2", "S1"]
    assert [s.label for s in relevant_sources([plain, far], message)] == ["S1", "S3"]
