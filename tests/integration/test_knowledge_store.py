"""The knowledge layer on its own: isolation between organisations, atomic re-indexing,
deletion, and the embedding-model guard. Real Chroma, real FTS5, real USE embeddings."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder
from knowledge.errors import ReindexRequired
from knowledge.loaders import load_document
from tests.fakes import HashingEmbedder

MODES = ("hybrid", "dense", "lexical")


def values_doc(canary: str, version_note: str = "") -> bytes:
    return (
        f"---\nkind: value\nlanguage: fr\n---\n# Valeurs\n\n## Audace\n\nOser proposer des idées "
        f"nouvelles même quand elles dérangent le comité. {canary} {version_note}\n\n"
        f"## Coopération\n\nTravailler ensemble entre les ateliers, partager les outils. {canary}\n"
    ).encode()


@pytest.fixture
def base(tmp_path: Path) -> KnowledgeBase:
    return KnowledgeBase(tmp_path / "knowledge", UniversalSentenceEncoder())


def test_a_retriever_is_bound_to_its_organisation(base: KnowledgeBase) -> None:
    org = base.organization(str(uuid.uuid4()))
    retriever = org.retriever()
    assert retriever.organization_id == org.organization_id
    with pytest.raises(TypeError):
        retriever.search("x", 5, organization_id="other")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="Not an organisation id"):
        base.organization("../../etc")


# Isolation, the atomic re-index under a reader, and the filters run against both stores in
# tests/integration/test_knowledge_pg.py; what is Chroma's own stays here.


def test_a_reindex_leaves_no_stale_vector(base: KnowledgeBase) -> None:
    org = base.organization(str(uuid.uuid4()))
    for version in (1, 2, 3):
        document = load_document("v.md", values_doc("CANARY", f"VERSION{version}"))
        org.index_document(document, document_id="v", version=version)
    assert org.vectors.count() == org.catalogue.count_live() == 2


def test_changing_the_embedding_model_demands_a_reindex(tmp_path: Path) -> None:
    org_id = str(uuid.uuid4())
    first = KnowledgeBase(tmp_path, HashingEmbedder("model-a", 64))
    first.organization(org_id).index_document(
        load_document("v.md", values_doc("C")), document_id="v", version=1
    )
    other = KnowledgeBase(tmp_path, HashingEmbedder("model-b", 32))
    with pytest.raises(ReindexRequired, match="Re-index"):
        other.organization(org_id)
    other.drop_organization(org_id)
    rebuilt = other.organization(org_id)
    assert rebuilt.catalogue.count_live() == 0
    rebuilt.index_document(load_document("v.md", values_doc("C")), document_id="v", version=1)
    assert rebuilt.retriever().search("oser", 3)


def test_dropping_an_organisation_without_vectors_is_not_an_error(tmp_path: Path) -> None:
    """Only an absent collection is ignored (knowledge/base.py narrows what it suppresses)."""
    org_id = str(uuid.uuid4())
    knowledge = KnowledgeBase(tmp_path, HashingEmbedder("model-a", 64))
    knowledge.drop_organization(org_id)  # never indexed
    knowledge.organization(org_id).index_document(
        load_document("v.md", values_doc("C")), document_id="v", version=1
    )
    knowledge.drop_organization(org_id)
    knowledge.drop_organization(org_id)  # already dropped
    assert knowledge.organization(org_id).catalogue.count_live() == 0


def test_lexical_search_folds_accents_and_plurals_and_skips_common_terms(
    base: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = base.organization(str(uuid.uuid4()))
    for i in range(6):
        body = f"---\nkind: team\n---\n## Équipe {i}\n\nL'équipe travaille ensemble. Note {i}.\n"
        org.index_document(load_document(f"t{i}.md", body.encode()), document_id=f"t{i}", version=1)
    rare = "---\nkind: team\n---\n## Atelier\n\nLes équipes de l'atelier réparent les chaises.\n"
    org.index_document(load_document("rare.md", rare.encode()), document_id="rare", version=1)
    hits = org.catalogue.search("EQUIPES chaise", 10)
    assert len(hits) == 7  # "équipes" matches "équipe" and "Équipe"; "chaise" matches "chaises"
    # With a budget of 3 postings, the common term (7 passages) is left out, the rare one kept.
    monkeypatch.setattr("knowledge.catalogue.POSTINGS_BUDGET", 3)
    assert [
        org.catalogue.live_chunks([i])[i].document_id
        for i, _ in org.catalogue.search("équipes chaise", 10)
    ] == ["rare"]
