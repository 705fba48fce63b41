from __future__ import annotations

from pathlib import Path

import pytest

from evals.scenarios import PackOrg, index_pack
from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder


@pytest.fixture(scope="session")
def pack_knowledge(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """Both sample packs indexed once, with the real packaged embedding model."""
    root: Path = tmp_path_factory.mktemp("agents-knowledge")
    return KnowledgeBase(root, UniversalSentenceEncoder())


@pytest.fixture(scope="session")
def horizon(pack_knowledge: KnowledgeBase) -> PackOrg:
    return index_pack(pack_knowledge, "horizon-fr")


@pytest.fixture(scope="session")
def brightwater(pack_knowledge: KnowledgeBase) -> PackOrg:
    return index_pack(pack_knowledge, "brightwater-en")
