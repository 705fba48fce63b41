"""Plain data in and out of the brief agent (no ORM objects: agents never import `app`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, TypedDict

Section = Literal["answers", "themes", "progress", "open_questions", "explore"]
# The sections a writer (model or composer) writes. The brief's first section, what changed
# since the session and the open alerts, is counted by `agents.brief.changes`, never written:
# a model must not be able to drop seven safety alerts.
SECTIONS: tuple[Section, ...] = ("answers", "themes", "progress", "open_questions", "explore")
# Sections whose points make claims about what the learner wrote: they must cite it.
# Progress is not among them: "nothing was said about this action" has nothing to cite.
CITING_SECTIONS: tuple[Section, ...] = ("answers", "themes", "open_questions")
AlertTier = Literal["urgent", "support"]
MAX_POINTS = 5
MIN_POINT_CHARS, MAX_POINT_CHARS = 10, 300


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of learner material the brief may cite."""

    id: str  # the answer's, message's, journal entry's or companion feedback's id (opaque)
    kind: Literal["answer", "message", "journal", "companion"]
    text: str
    created_at: str  # ISO 8601
    prompt: str = ""  # for an answer: the reflection or question it answers
    thread: str = ""  # for a message: its conversation's id, to count shared conversations
    # For a companion's feedback the learner shared: who gave it (their name only if the
    # learner allowed the coach to see it) and how they relate to the learner (peer...).
    source: str = ""
    relation: str = ""


@dataclass(frozen=True, slots=True)
class Alert:
    """An open safety alert: its tier and date, never what was said (the coach reads the
    conversation only if the learner shared it)."""

    id: str  # the escalation's id (opaque)
    tier: AlertTier
    created_at: str  # ISO 8601


@dataclass(frozen=True, slots=True)
class BriefRequest:
    organization_id: str
    language: str  # the coach's: the brief is written in it ("fr" | "en")
    goal: str
    focus_skills: tuple[str, ...]
    agreed_actions: tuple[str, ...]
    evidence: tuple[Evidence, ...]  # oldest first; already filtered to what the coach may see
    unanswered: tuple[str, ...] = ()  # delivered questions the learner has not answered
    since: str = ""  # ISO 8601: when the last session was held; the evidence is newer
    alerts: tuple[Alert, ...] = ()  # open safety alerts, oldest first, whatever their date


@dataclass(frozen=True, slots=True)
class BriefPoint:
    text: str
    evidence_ids: tuple[str, ...]  # ids of the request's Evidence it draws on


@dataclass(slots=True)
class Brief:
    changes: list[BriefPoint]  # counted, never written: what is new since the session, alerts
    answers: list[BriefPoint]  # answers to delivered items: the latest five at least, cited
    themes: list[BriefPoint]
    progress: list[BriefPoint]  # one per agreed action
    open_questions: list[BriefPoint]  # questions the learner raised
    explore: list[BriefPoint]  # what to explore in the session
    provider: str
    model: str
    prompt_version: str
    fallback_used: bool = False
    fallback_reason: str = ""
    model_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    problems: list[str] = field(default_factory=list)  # the last rejected draft's, if any


Points = dict[Section, list[BriefPoint]]


def label_evidence(evidence: Sequence[Evidence]) -> dict[str, Evidence]:
    """Evidence labelled E1..En in the request's order: a model cites labels, never ids."""
    return {f"E{index}": item for index, item in enumerate(evidence, start=1)}


def distinct(texts: Sequence[str]) -> list[str]:
    """Non-blank texts, each once, in order: what the brief speaks about one by one."""
    return list(dict.fromkeys(" ".join(t.split()) for t in texts if t.strip()))


class BriefState(TypedDict, total=False):
    request: BriefRequest
    raw: str  # the model's last answer
    points: Points
    problems: list[str]
    repairs: int
    model_calls: int
    tokens_in: int
    tokens_out: int
    fallback_reason: str
