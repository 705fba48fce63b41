"""What the agents need at run time, built once per app from settings (or handed in by tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from opentelemetry.trace import Tracer

from agents.llm import ChatModel, build_chat_model
from agents.safety import SafetyGuard
from app.lib.tracing import NO_TRACER
from app.settings import Settings
from knowledge.store import KnowledgeStore


@dataclass(frozen=True, slots=True)
class AgentRuntime:
    knowledge: KnowledgeStore
    llm: ChatModel | None  # None: the composer drafts and replies, no model involved
    guard: SafetyGuard
    tracer: Tracer = NO_TRACER  # agent runs' spans (app/lib/tracing.py)

    @property
    def provider(self) -> str:
        return self.llm.provider if self.llm else "composer"

    @classmethod
    def from_settings(
        cls, settings: Settings, knowledge: KnowledgeStore, *, tracer: Tracer = NO_TRACER
    ) -> AgentRuntime:
        llm = build_chat_model(settings.chat_provider, settings.chat_config())
        return cls.with_model(
            knowledge,
            llm,
            guard_uses_model=settings.safety_uses_model,
            guard_cache=settings.safety_cache_dir,
            tracer=tracer,
        )

    @classmethod
    def with_model(
        cls,
        knowledge: KnowledgeStore,
        llm: ChatModel | None,
        *,
        guard_uses_model: bool = False,
        guard_cache: Path | None = None,
        tracer: Tracer = NO_TRACER,
    ) -> AgentRuntime:
        """A runtime around a given model (tests: a scripted one, whose script the guard's
        own classification calls would otherwise consume)."""
        guard = SafetyGuard(
            knowledge.embedder,
            llm if guard_uses_model else None,
            cache_dir=guard_cache,
            tracer=tracer,
        )
        return cls(knowledge=knowledge, llm=llm, guard=guard, tracer=tracer)
