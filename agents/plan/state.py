"""Plain data in and out of the plan agent (no ORM objects: agents never import `app`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from agents.grounding import Source

ItemKind = Literal["reflection", "company_question", "team_question", "micro_action"]
ITEM_KINDS: tuple[ItemKind, ...] = (
    "reflection",
    "company_question",
    "team_question",
    "micro_action",
)
REQUIRED_KINDS: tuple[ItemKind, ...] = ("reflection", "company_question", "team_question")
MIN_ITEMS, MAX_ITEMS = 3, 6


@dataclass(frozen=True, slots=True)
class ModuleInfo:
    title: str
    skill: str
    reflection_prompts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BankQuestion:
    skill: str
    scale: Literal["company", "team"]
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class PlanRequest:
    organization_id: str
    language: str  # the learner's: every item is written in it
    goal: str
    notes: str = ""
    focus_skills: tuple[str, ...] = ()
    agreed_actions: tuple[str, ...] = ()
    program_name: str = ""
    modules: tuple[ModuleInfo, ...] = ()
    bank: tuple[BankQuestion, ...] = ()
    # Makes the composer's choices (which bank question, which prompt) stable for one session
    # and varied across sessions.
    seed: str = ""


@dataclass(frozen=True, slots=True)
class PlanItem:
    kind: ItemKind
    text: str
    rationale: str
    citations: tuple[dict[str, Any], ...]
    skill: str


@dataclass(slots=True)
class PlanResult:
    items: list[PlanItem]
    provider: str
    model: str
    prompt_version: str
    retrieved_ids: list[str]
    fallback_used: bool = False
    fallback_reason: str = ""
    model_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    problems: list[str] = field(default_factory=list)  # the last rejected draft's, if any
    composer_problems: list[str] = field(default_factory=list)


class PlanState(TypedDict, total=False):
    request: PlanRequest
    sources: list[Source]
    raw: str  # the model's last answer
    items: list[PlanItem]
    problems: list[str]
    repairs: int
    model_calls: int
    tokens_in: int
    tokens_out: int
    fallback_reason: str
    composer_problems: list[str]
