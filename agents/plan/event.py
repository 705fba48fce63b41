"""A company event on the learner's path: one question to prepare it, one to draw lessons from
it. Drafted from the event's own passage; the coach reviews it like any draft.

Offline (no model) the composer writes it: the event's name and date in a plain question that
takes up the learner's goal in its own words when the goal reads as a clause
(agents/plan/goal.py), citing the passage of the event closest to that goal. With a model, the
model writes the question from that passage; an answer that is not one open question in the
learner's language falls back to the composer, and the result says why. Model errors
propagate: the job tries again on its next pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Literal

from agents.checks import language_problems, question_problems
from agents.grounding import Source, label_passages
from agents.llm import ChatMessage, ChatModel
from agents.plan.goal import goal_clause, with_de
from agents.plan.state import PlanItem
from knowledge.documents import DocumentKind
from knowledge.language import LANGUAGE_NAMES
from knowledge.retrieval import Retriever

Phase = Literal["prepare", "debrief"]
PHASES: tuple[Phase, ...] = ("prepare", "debrief")
COMPOSER_VERSION = "composer-event-2026-12-05"
PROMPT_VERSION = "event-2026-12-05"
# Passages of the event searched for the one closest to the goal: an event is a few sections.
SEARCH_POOL = 12
MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "en": "January February March April May June July August September October November December",
}

PHRASES = {
    "fr": {
        "prepare_goal": "Le {date} a lieu « {event} » : qu'aimeriez-vous y observer ou y "
        "tenter pour avancer dans votre envie {de_goal} ?",
        "prepare": "Le {date} a lieu « {event} » : qu'aimeriez-vous y observer ou y tenter "
        "pour avancer dans ce que vous travaillez avec votre coach ?",
        "debrief_goal": "« {event} » a eu lieu le {date} : qu'en retenez-vous pour votre envie "
        "{de_goal}, et que ferez-vous différemment ?",
        "debrief": "« {event} » a eu lieu le {date} : qu'en retenez-vous pour ce que vous "
        "travaillez avec votre coach ?",
        "why_prepare": "Préparer « {event} » (le {date}) à partir de ce que l'événement annonce.",
        "why_debrief": "Tirer les leçons de « {event} » (le {date}) pour l'objectif en cours.",
    },
    "en": {
        "prepare_goal": "“{event}” takes place on {date}: what would you like to observe or "
        "try there to move closer to your aim to {goal}?",
        "prepare": "“{event}” takes place on {date}: what would you like to observe or try "
        "there for what you are working on with your coach?",
        "debrief_goal": "“{event}” took place on {date}: what do you take from it for your aim "
        "to {goal}, and what will you do differently?",
        "debrief": "“{event}” took place on {date}: what do you take from it for what you are "
        "working on with your coach?",
        "why_prepare": "Prepare “{event}” ({date}) from what the event announces.",
        "why_debrief": "Draw lessons from “{event}” ({date}) for the current goal.",
    },
}

TASK = """You help a human coach prepare one question for a learner about a company event.
Phase: {phase_text}. Write ONE open question (one question mark) in {language}, addressed to
the learner, under 220 characters, grounded in the event passage given, linked to the learner's
goal when there is one. No advice, no quotation of the passage, no markup.
Answer with JSON: {{"question": "..."}}"""
PHASE_TEXT = {
    "prepare": "before the event: how the learner will prepare it or use it",
    "debrief": "after the event: what the learner takes from it",
}
SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string"}},
    "required": ["question"],
}


@dataclass(frozen=True, slots=True)
class EventRequest:
    organization_id: str
    language: str  # the learner's
    phase: Phase
    event_document_id: str
    event_title: str
    event_date: date
    goal: str = ""
    skill: str = ""


@dataclass(frozen=True, slots=True)
class EventDraft:
    item: PlanItem
    provider: str
    model: str
    prompt_version: str
    fallback_reason: str = ""


def draft_event_question(
    request: EventRequest, retriever: Retriever, llm: ChatModel | None = None
) -> EventDraft:
    """One question for the event's phase. The retriever must be bound to the organisation."""
    if retriever.organization_id != request.organization_id:
        raise ValueError("The retriever belongs to another organisation than the request.")
    source = event_passage(request, retriever)
    composed = compose_event_question(request, source)
    if llm is None:
        return EventDraft(composed, "composer", "", COMPOSER_VERSION)
    completion = llm.complete(_messages(request, source), json_schema=SCHEMA, max_tokens=120)
    text = _question_of(completion.text)
    problems = (
        ["the answer was not JSON with a question"]
        if text is None
        else question_problems(text, request.language) or language_problems(text, request.language)
    )
    if problems or text is None:
        return EventDraft(composed, llm.provider, llm.model, PROMPT_VERSION, problems[0])
    item = PlanItem("company_question", text, composed.rationale, composed.citations, request.skill)
    return EventDraft(item, llm.provider, llm.model, PROMPT_VERSION)


def event_passage(request: EventRequest, retriever: Retriever) -> Source | None:
    """The event's passage closest to the goal (to its title when there is no goal)."""
    query = request.goal.strip() or request.event_title
    passages = retriever.search(query, SEARCH_POOL, kinds=(DocumentKind.EVENT,))
    own = [p for p in passages if p.chunk.document_id == request.event_document_id]
    if not own and query != request.event_title:
        passages = retriever.search(request.event_title, SEARCH_POOL, kinds=(DocumentKind.EVENT,))
        own = [p for p in passages if p.chunk.document_id == request.event_document_id]
    sources = label_passages(own)
    return sources[0] if sources else None


def compose_event_question(request: EventRequest, source: Source | None) -> PlanItem:
    say = PHRASES.get(request.language, PHRASES["en"])
    when = spoken_date(request.event_date, request.language)
    clause = goal_clause(request.goal, request.language) if request.goal.strip() else None
    values = {"event": request.event_title, "date": when, "goal": clause or ""}
    values["de_goal"] = with_de(clause) if clause else ""
    text = say[f"{request.phase}_goal" if clause else request.phase].format(**values)
    if clause and question_problems(text, request.language):
        text = say[request.phase].format(**values)  # the goal made it too long
    citations = (source.citation(),) if source is not None else ()
    why = say[f"why_{request.phase}"].format(**values)
    return PlanItem("company_question", text, why, citations, request.skill)


def spoken_date(day: date, language: str) -> str:
    """ "24 septembre 2026", "24 September 2026"."""
    months = MONTHS.get(language, MONTHS["en"]).split()
    first = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return f"{first} {months[day.month - 1]} {day.year}"


def _messages(request: EventRequest, source: Source | None) -> list[ChatMessage]:
    task = TASK.format(
        phase_text=PHASE_TEXT[request.phase],
        language=LANGUAGE_NAMES.get(request.language, "English"),
    )
    facts = {
        "event": request.event_title,
        "date": request.event_date.isoformat(),
        "goal": request.goal,
        "passage": source.chunk.text if source is not None else "",
    }
    return [
        ChatMessage("system", task),
        ChatMessage("user", json.dumps(facts, ensure_ascii=False)),
    ]


def _question_of(answer: str) -> str | None:
    try:
        parsed = json.loads(answer)
    except ValueError:
        return None
    question = parsed.get("question") if isinstance(parsed, dict) else None
    return question.strip() if isinstance(question, str) and question.strip() else None
