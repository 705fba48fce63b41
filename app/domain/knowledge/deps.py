from __future__ import annotations

from litestar.datastructures import State

from app.lib.background import Waker
from knowledge.store import KnowledgeStore


def provide_knowledge(state: State) -> KnowledgeStore:
    knowledge: KnowledgeStore = state.knowledge
    return knowledge


def provide_worker(state: State) -> Waker:
    worker: Waker = state.ingestion_worker
    return worker
