"""Plain data in and out of the chat agent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agents.grounding import Source
from agents.plan.state import BankQuestion

Stage = Literal["message", "reply"]
Resources = tuple[tuple[str, str], ...]  # (label, contact)
# How much of a request the agent uses: the last turns of the conversation and the most recent
# approved items shown to the model. Callers read no more than this (app/domain/conversations).
HISTORY_TURNS = 8
APPROVED_ITEMS = 10


@dataclass(frozen=True, slots=True)
class ModulePrompt:
    """A reflection prompt of a module of the learner's program, about the learner themself
    ("Que risquez-vous réellement en osant, et que risquez-vous en n'osant pas ?")."""

    skill: str
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    role: Literal["learner", "assistant"]
    content: str


@dataclass(frozen=True, slots=True)
class ChatRequest:
    organization_id: str
    language: str
    message: str
    # The learner's own recent turns, oldest first: never another learner's.
    history: tuple[Turn, ...] = ()
    # Items a coach approved for this learner: never drafts still waiting for review.
    approved_items: tuple[str, ...] = ()
    bank: tuple[BankQuestion, ...] = ()  # the organisation's question bank
    # The reflection prompts of the modules of the programs the learner follows.
    prompts: tuple[ModulePrompt, ...] = ()
    organization_name: str = ""
    # The organisation's resources per safety tier (urgent, support, out_of_scope).
    resources: tuple[tuple[str, Resources], ...] = ()
    seed: str = ""
    allowed_link_hosts: tuple[str, ...] = ()  # links to other hosts are removed from replies

    def resources_for(self, tier: str) -> Resources:
        return next((listed for name, listed in self.resources if name == tier), ())


@dataclass(frozen=True, slots=True)
class SafetyOutcome:
    """The guard answered this turn instead of coaching: what it found, and where."""

    category: str
    tier: str  # urgent (the coach is alerted), support (offered), out_of_scope (never)
    detected_by: str  # rules | classifier | model
    stage: Stage
    scope: str = "message"  # message | conversation (the learner's last messages together)


@dataclass(frozen=True, slots=True)
class Delta:
    """More reply text, already sanitised, to append."""

    text: str


@dataclass(frozen=True, slots=True)
class Replace:
    """The whole reply so far is replaced (a late check changed what was streamed)."""

    text: str


@dataclass(slots=True)
class ChatReply:
    text: str
    citations: list[dict[str, Any]]
    provider: str
    model: str
    prompt_version: str
    retrieved_ids: list[str]
    sources: list[Source] = field(default_factory=list)
    found_relevant: bool = False
    safety: SafetyOutcome | None = None
    fallback_used: bool = False
    fallback_reason: str = ""
    tokens_in: int = 0
    tokens_out: int = 0
    first_token_ms: int | None = None
    problems: list[str] = field(default_factory=list)


ChatEvent = Delta | Replace | ChatReply  # a reply stream ends with the ChatReply
