"""The offline default: a plan from retrieval, the question bank, the program's reflection
prompts and templates. No model, deterministic: the same session gives the same plan.

It asks after the learner's goal in the goal's own words and direction (giving, receiving...:
agents/plan/goal.py), links it to the value or strategy passage retrieved closest to it, and
cites what it uses. Its output passes the same validation as a model's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from agents.checks import action_problems, language_problems, question_problems
from agents.grounding import Source
from agents.plan.goal import Direction, fits, goal_clause, goal_direction, with_de
from agents.plan.state import (
    MAX_ITEMS,
    BankQuestion,
    ItemKind,
    ModuleInfo,
    PlanItem,
    PlanRequest,
)
from agents.plan.templates import phrases
from knowledge.documents import DocumentKind

# What a plan run records as its prompt version when the composer wrote it: bump it with any
# change to what the composer writes, as PROMPT_VERSION is bumped with the prompts.
COMPOSER_VERSION = "composer-2026-12-05"

T = TypeVar("T")
GOAL_CHARS = 110
_MODULE_PREFIX = re.compile(r"^(module|modul|séance|session)\s*\d+\s*[—–:.-]\s*", re.IGNORECASE)


def compose_plan(request: PlanRequest, sources: Sequence[Source]) -> list[PlanItem]:
    say = phrases(request.language)
    module = focus_module(request)
    skill = module.skill if module else (request.focus_skills or ("",))[0]
    skill_label = _module_label(module.title) if module else skill
    goal = read_goal(request, skill_label)
    program = _of_kinds(sources, DocumentKind.PROGRAM_MODULE)
    fallback = list(sources[:1])

    def item(kind: ItemKind, text: str, why: str, cited: Sequence[Source]) -> PlanItem:
        rationale = why + ("" if cited else say["no_source"])
        return PlanItem(kind, text, rationale, tuple(s.citation() for s in cited), skill)

    program_source = _best_for_skill(program, skill) or fallback
    text, why = _reflection(request, module, goal, say)
    items = [item("reflection", text, why, program_source)]

    company = [
        item("company_question", text, why, [source])
        for text, why, source in _company_questions(request, sources, skill, goal, say)
    ]
    if not company:
        # Nothing about culture or strategy was retrieved: a value-free question, honestly so.
        text = say["company_none"].format(skill=_lower_first(skill_label))
        company.append(item("company_question", text, say["why_none"], fallback))
    items += company

    team_bank = [q for q in _bank(request, "team", skill) if fits(q.text, goal.direction)]
    if team_bank:
        team_text = _pick(team_bank, request.seed + "team").text
    elif goal.clause:
        team_text = say["team_goal"].format(goal=goal.clause)
    else:
        team_text = say["team"].format(skill=_lower_first(skill_label))
    team_source = _of_kinds(sources, DocumentKind.TEAM)[:1] or program_source
    items.append(item("team_question", team_text, say["why_team"], team_source))

    actions = [
        item("micro_action", text, say["why_action"], program_source)
        for text in _action_texts(request, say)
    ]
    # Room for every agreed action: the second company question goes first.
    while len(items) + len(actions) > MAX_ITEMS and len(company) > 1:
        items.remove(company.pop())
    return items + actions[: MAX_ITEMS - len(items)]


@dataclass(frozen=True, slots=True)
class Goal:
    """The session's goal as the questions use it: a phrase to quote, a clause in the
    learner's own terms (None when the goal is not an infinitive phrase), its direction."""

    phrase: str
    clause: str | None
    direction: Direction


def read_goal(request: PlanRequest, skill_label: str) -> Goal:
    return Goal(
        _goal_phrase(request.goal) or skill_label,
        goal_clause(request.goal, request.language),
        goal_direction(request.goal),
    )


def _reflection(
    request: PlanRequest, module: ModuleInfo | None, goal: Goal, say: dict[str, str]
) -> tuple[str, str]:
    """The goal asked after in its own words and direction; a module prompt of the same
    direction when the session states no goal."""
    tail = say[f"tail_{goal.direction}"]
    if request.goal.strip():
        if goal.clause:
            text = say["reflection_goal"].format(
                goal=goal.clause, de_goal=with_de(goal.clause), tail=tail
            )
            if not question_problems(text, request.language):
                return text, say[f"why_{goal.direction}"]
        return say["reflection"].format(goal=goal.phrase, tail=tail), say[f"why_{goal.direction}"]
    prompt = _reflection_prompt(request, module, goal.direction)
    if prompt and module:
        return prompt, say["why_prompt"].format(module=module.title)
    return say["reflection"].format(goal=goal.phrase, tail=tail), say["why_other"]


def _company_questions(
    request: PlanRequest, sources: Sequence[Source], skill: str, goal: Goal, say: dict[str, str]
) -> list[tuple[str, str, Source]]:
    """The value or strategy passage closest to the goal (retrieval puts it first), then the
    closest of the other kind: each named in a plain question, or in the bank's own question
    that names it."""
    linked = _of_kinds(sources, DocumentKind.VALUE, DocumentKind.STRATEGY)
    # A section ("Parler vrai"), not the values page's introduction, when there is one.
    linked = [s for s in linked if _is_section(s)] or linked
    chosen = linked[:1]
    chosen += [s for s in linked if chosen and s.chunk.kind != chosen[0].chunk.kind][:1]
    if not chosen:
        chosen = _of_kinds(sources, DocumentKind.CULTURE, DocumentKind.EVENT)[:1]
    bank = [q for q in _bank(request, "company", skill) if fits(q.text, goal.direction)]
    questions = []
    for rank, source in enumerate(chosen):
        name = _passage_name(source)
        kind = {DocumentKind.VALUE: "value", DocumentKind.STRATEGY: "strategy"}
        key = f"company_{kind.get(source.chunk.kind, 'other') if _is_section(source) else 'other'}"
        why = say["why_strategy" if key == "company_strategy" else "why_value"]
        naming = [q for q in bank if name.casefold() in q.text.casefold()]
        if naming:
            text, why = naming[0].text, say["why_bank"]
        elif rank == 0 and goal.clause and f"{key}_goal" in say:
            text = say[f"{key}_goal"].format(
                name=name, goal=goal.clause, de_goal=with_de(goal.clause)
            )
        else:
            text = say[key].format(name=name)
        if question_problems(text, request.language):
            text = say[key].format(name=name)
        questions.append((text, why.format(name=name), source))
    return questions


def _is_section(source: Source) -> bool:
    """A section of its document (title > page heading > section), not its introduction."""
    return len(source.chunk.heading_path) > 2


def _passage_name(source: Source) -> str:
    """A value or strategy section by its heading ("Priorité 2 : ouvrir Remiremont")."""
    path = source.chunk.heading_path
    if source.chunk.kind == DocumentKind.STRATEGY and _is_section(source):
        return path[-1]
    return source.name


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if len(text) > 1 and not text[1].isupper() else text


def _action_texts(request: PlanRequest, say: dict[str, str]) -> list[str]:
    """Every action agreed in session, in the coach's words (the plan follows the session),
    framed with a moment to look back, or alone when the frame would make it too long."""
    texts = []
    for agreed in (a for a in request.agreed_actions if a.strip()):
        framed = say["action"].format(action=_sentence(agreed))
        texts.append(_sentence(agreed) if action_problems(framed, request.language) else framed)
    return texts


def focus_module(request: PlanRequest) -> ModuleInfo | None:
    for skill in request.focus_skills:
        for module in request.modules:
            if module.skill == skill:
                return module
    return request.modules[0] if request.modules and not request.focus_skills else None


def _reflection_prompt(
    request: PlanRequest, module: ModuleInfo | None, direction: Direction
) -> str | None:
    """One of the module's own reflection prompts, when it is a valid open question that does
    not pull the goal the other way."""
    # The program may be written in another language than the learner's: its prompts then
    # give way to the template, which speaks the learner's language.
    prompts = [
        p
        for p in (module.reflection_prompts if module else ())
        if not question_problems(p, request.language)
        and not language_problems(p, request.language)
        and fits(p, direction)
    ]
    return _pick(prompts, request.seed + "reflection") if prompts else None


def _bank(request: PlanRequest, scale: str, skill: str) -> list[BankQuestion]:
    usable = [
        q
        for q in request.bank
        if q.scale == scale
        and q.language == request.language
        and not question_problems(q.text, request.language)
    ]
    for_skill = [q for q in usable if q.skill == skill]
    return for_skill or usable


def _pick(options: Sequence[T], seed: str) -> T:
    digest = hashlib.sha256(seed.encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def _of_kinds(sources: Sequence[Source], *kinds: DocumentKind) -> list[Source]:
    return [s for s in sources if s.chunk.kind in kinds]


def _best_for_skill(sources: Sequence[Source], skill: str) -> list[Source]:
    matching = [s for s in sources if skill and s.chunk.skill == skill]
    return (matching or list(sources))[:1]


def _goal_phrase(goal: str) -> str:
    text = " ".join(goal.split()).rstrip(" .!;")
    if len(text) > GOAL_CHARS:
        text = text[:GOAL_CHARS].rsplit(" ", 1)[0] + "…"
    return _lower_first(text)


def _module_label(title: str) -> str:
    """ "Module 1 — Le feedback" reads "Le feedback" inside a sentence."""
    return _MODULE_PREFIX.sub("", title).strip() or title


def _sentence(action: str) -> str:
    """An agreed action as the end of "Before our next session: ..." sentence."""
    text = " ".join(action.split()).replace("?", "")
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text if text.endswith((".", "!")) else text + "."
