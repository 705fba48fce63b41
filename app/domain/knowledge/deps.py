from __future__ import annotations

from litestar.datastructures import State

from agents.llm import build_embedder
from app.domain.knowledge.worker import IngestionWorker
from app.settings import Settings
from knowledge.base import KnowledgeBase


def build_knowledge(settings: Settings) -> KnowledgeBase:
    """The knowledge base of this deployment; the model loads on first use, not here."""
    embedder = build_embedder(
        settings.embedding_provider,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        model=settings.embedding_model,
        dimension=settings.embedding_dimension,
        timeout_s=settings.model_timeout_s,
    )
    return KnowledgeBase(settings.knowledge_dir, embedder)


def provide_knowledge(state: State) -> KnowledgeBase:
    knowledge: KnowledgeBase = state.knowledge
    return knowledge


def provide_worker(state: State) -> IngestionWorker:
    worker: IngestionWorker = state.ingestion_worker
    return worker
