from __future__ import annotations

from litestar.datastructures import State
from opentelemetry.trace import Tracer

from agents.llm import build_embedder
from app.domain.knowledge.worker import IngestionWorker
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.store import KnowledgeStore


def build_knowledge(
    settings: Settings, store: str | None = None, *, tracer: Tracer | None = None
) -> KnowledgeStore:
    """The knowledge store of this deployment (`store` overrides the configured one, for
    `interlude knowledge migrate`); the model loads and the database connects on first use.
    `tracer`: its searches' spans (app/lib/tracing.py)."""
    embedder = build_embedder(
        settings.embedding_provider,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key.get_secret_value() if settings.openai_api_key else None,
        model=settings.embedding_model,
        dimension=settings.embedding_dimension,
        timeout_s=settings.model_timeout_s,
    )
    if (store or settings.knowledge_store) == "postgres":
        from knowledge.pg import PgKnowledgeStore

        return PgKnowledgeStore(settings.resolved_database_url, embedder, tracer=tracer)
    return KnowledgeBase(settings.knowledge_dir, embedder, tracer=tracer)


def provide_knowledge(state: State) -> KnowledgeStore:
    knowledge: KnowledgeStore = state.knowledge
    return knowledge


def provide_worker(state: State) -> IngestionWorker:
    worker: IngestionWorker = state.ingestion_worker
    return worker
