from __future__ import annotations

from litestar.datastructures import State

from app.domain.knowledge.worker import IngestionWorker
from knowledge.store import KnowledgeStore


def provide_knowledge(state: State) -> KnowledgeStore:
    knowledge: KnowledgeStore = state.knowledge
    return knowledge


def provide_worker(state: State) -> IngestionWorker:
    worker: IngestionWorker = state.ingestion_worker
    return worker
