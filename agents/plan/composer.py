"""The offline default: a plan from retrieval, the question bank, the program's reflection
prompts and templates. No model, deterministic: the same session gives the same plan.

It weaves the learner's goal and focus skill with the value, strategy and team passages
retrieved for this run, and cites them. Its output passes the same validation as a model's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import TypeVar

from agents.checks import action_problems, language_problems, question_problems
from agents.grounding import Source
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

T = TypeVar("T")
GOAL_CHARS = 110
_WORD = re.compile(r"\w{4,}")
_MODULE_PREFIX = re.compile(r"^(module|modul|séance|session)\s*\d+\s*[—–:.-]\s*", re.IGNORECASE)


def compose_plan(request: PlanRequest, sources: Sequence[Source]) -> list[PlanItem]:
    say = phrases(request.language)
    module = focus_module(request)
    skill = module.skill if module else (request.focus_skills or ("",))[0]
    skill_label = _module_label(module.title) if module else skill
    goal = _goal_phrase(request.goal) or skill_label
    values = _of_kinds(sources, DocumentKind.VALUE, DocumentKind.CULTURE)
    strategy = _of_kinds(sources, DocumentKind.STRATEGY, DocumentKind.EVENT)
    teams = _of_kinds(sources, DocumentKind.TEAM)
    program = _of_kinds(sources, DocumentKind.PROGRAM_MODULE)
    fallback = list(sources[:1])

    def item(kind: ItemKind, text: str, why: str, cited: Sequence[Source]) -> PlanItem:
        rationale = why + ("" if cited else say["no_source"])
        return PlanItem(kind, text, rationale, tuple(s.citation() for s in cited), skill)

    program_source = _best_for_skill(program, skill) or fallback
    prompt = _reflection_prompt(request, module)
    if prompt and module:
        why = say["why_prompt"].format(module=module.title)
        items = [item("reflection", prompt, why, program_source)]
    else:
        text = say["reflection"].format(goal=goal)
        items = [item("reflection", text, say["why_reflection"], program_source)]

    company: list[PlanItem] = []
    bank = _bank(request, "company", skill)
    if bank and (values or strategy):
        question = _pick(bank, request.seed + "company")
        source = _closest(question.text, values + strategy)
        why = say["why_bank"].format(name=source.name)
        company.append(item("company_question", question.text, why, [source]))
    cites_value = any(c["kind"] == DocumentKind.VALUE for i in company for c in i.citations)
    if values and not cites_value:
        text = say["company_value"].format(goal=goal, name=values[0].name)
        why = say["why_value"].format(name=values[0].name)
        company.append(item("company_question", text, why, values[:1]))
    if strategy and len(company) < 2:
        text = say["company_strategy"].format(name=strategy[0].name, skill=skill_label)
        why = say["why_strategy"].format(name=strategy[0].name)
        company.append(item("company_question", text, why, strategy[:1]))
    if not company:
        # Nothing about culture or strategy was retrieved: a value-free question, honestly so.
        text = say["company_value"].format(goal=goal, name=skill_label)
        company.append(item("company_question", text, say["why_reflection"], fallback))
    items += company

    team_bank = _bank(request, "team", skill)
    team_source = teams[:1] or program_source
    team_text = (
        _pick(team_bank, request.seed + "team").text
        if team_bank
        else say["team"].format(skill=skill_label)
    )
    items.append(item("team_question", team_text, say["why_team"], team_source))

    actions = [
        item("micro_action", text, say["why_action"], program_source)
        for text in _action_texts(request, say)
    ]
    # Room for every agreed action: the second company question goes first.
    while len(items) + len(actions) > MAX_ITEMS and len(company) > 1:
        items.remove(company.pop())
    return items + actions[: MAX_ITEMS - len(items)]


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


def _reflection_prompt(request: PlanRequest, module: ModuleInfo | None) -> str | None:
    """One of the module's own reflection prompts, when it is a valid open question."""
    # The program may be written in another language than the learner's: its prompts then
    # give way to the template, which speaks the learner's language.
    prompts = [
        p
        for p in (module.reflection_prompts if module else ())
        if not question_problems(p, request.language) and not language_problems(p, request.language)
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


def _closest(text: str, sources: Sequence[Source]) -> Source:
    """The source sharing most words with the text; retrieval order breaks ties."""
    words = {w.lower() for w in _WORD.findall(text)}

    def overlap(source: Source) -> int:
        return len(words & {w.lower() for w in _WORD.findall(source.chunk.text)})

    return max(sources, key=overlap)  # max keeps the first of equals


def _goal_phrase(goal: str) -> str:
    text = " ".join(goal.split()).rstrip(" .!;")
    if len(text) > GOAL_CHARS:
        text = text[:GOAL_CHARS].rsplit(" ", 1)[0] + "…"
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def _module_label(title: str) -> str:
    """ "Module 1 — Le feedback" reads "Le feedback" inside a sentence."""
    return _MODULE_PREFIX.sub("", title).strip() or title


def _sentence(action: str) -> str:
    """An agreed action as the end of "Before our next session: ..." sentence."""
    text = " ".join(action.split()).replace("?", "")
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text if text.endswith((".", "!")) else text + "."
