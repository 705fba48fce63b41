"""The knowledge layer on its own: isolation between organisations, atomic re-indexing,
deletion, and the embedding-model guard. Real Chroma, real FTS5, real USE embeddings."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.documents import DocumentKind
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


def test_no_passage_crosses_organisations(base: KnowledgeBase) -> None:
    alpha, beta = base.organization(str(uuid.uuid4())), base.organization(str(uuid.uuid4()))
    alpha.index_document(
        load_document("v.md", values_doc("CANARYALPHA")), document_id="v", version=1
    )
    beta.index_document(load_document("v.md", values_doc("CANARYBETA")), document_id="v", version=1)
    for mode in MODES:
        for query in ("CANARYBETA", "oser proposer des idées", "coopération ateliers CANARYBETA"):
            passages = alpha.retriever().search(query, 10, mode=mode)
            assert all("CANARYBETA" not in p.chunk.text for p in passages), (mode, query)
            assert all(p.chunk.organization_id == alpha.organization_id for p in passages)
        assert alpha.retriever().search("CANARYALPHA", 5, mode="lexical")
    # Re-ingest and delete in beta: alpha still sees nothing of beta.
    beta.index_document(
        load_document("v.md", values_doc("CANARYBETA", "v2")), document_id="v", version=2
    )
    beta.remove_document("v")
    for mode in MODES:
        assert beta.retriever().search("CANARYBETA oser", 10, mode=mode) == []
        texts = [p.chunk.text for p in alpha.retriever().search("CANARYBETA oser", 10, mode=mode)]
        assert texts
        assert not any("CANARYBETA" in t for t in texts)


def test_a_retriever_is_bound_to_its_organisation(base: KnowledgeBase) -> None:
    org = base.organization(str(uuid.uuid4()))
    retriever = org.retriever()
    assert retriever.organization_id == org.organization_id
    with pytest.raises(TypeError):
        retriever.search("x", 5, organization_id="other")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="Not an organisation id"):
        base.organization("../../etc")


def test_reindex_replaces_atomically_for_readers(base: KnowledgeBase) -> None:
    """While a document is re-indexed over and over, every search sees exactly one version."""
    org = base.organization(str(uuid.uuid4()))
    org.index_document(
        load_document("v.md", values_doc("CANARY", "VERSION1")), document_id="v", version=1
    )
    seen: list[tuple[str, set[int]]] = []
    stop = threading.Event()

    def reader() -> None:
        retriever = org.retriever()
        while not stop.is_set():
            for mode in MODES:
                passages = retriever.search(
                    "oser proposer coopération ateliers CANARY", 10, mode=mode
                )
                seen.append((mode, {p.chunk.version for p in passages}))

    thread = threading.Thread(target=reader)
    thread.start()
    for version in range(2, 8):
        org.index_document(
            load_document("v.md", values_doc("CANARY", f"VERSION{version}")),
            document_id="v",
            version=version,
        )
    stop.set()
    thread.join()
    assert {mode for mode, _ in seen} == set(MODES)
    broken = [(mode, versions) for mode, versions in seen if len(versions) != 1]
    assert broken == [], f"{len(broken)} of {len(seen)} searches saw two versions or none"
    final = org.retriever().search("oser proposer", 10, mode="hybrid")
    assert {p.chunk.version for p in final} == {7}
    assert org.vectors.count() == org.catalogue.count_live() == 2


def test_kind_and_skill_filters(base: KnowledgeBase) -> None:
    org = base.organization(str(uuid.uuid4()))
    org.index_document(load_document("v.md", values_doc("C")), document_id="v", version=1)
    module = b"---\nkind: program_module\nskill: audace\n---\n## Oser\n\nOser proposer en comite."
    org.index_document(load_document("m.md", module), document_id="m", version=1)
    for mode in MODES:
        kinds = {
            p.chunk.kind
            for p in org.retriever().search(
                "oser proposer", 10, mode=mode, kinds=[DocumentKind.PROGRAM_MODULE]
            )
        }
        assert kinds == {DocumentKind.PROGRAM_MODULE}, mode
        skills = {
            p.chunk.skill for p in org.retriever().search("oser", 10, mode=mode, skill="audace")
        }
        assert skills == {"audace"}, mode


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
