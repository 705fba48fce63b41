"""What a plan must satisfy, whoever wrote it (model or composer).

Problems are short English sentences: they go into the run record and, once, back to the
model as a repair request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.checks import action_problems, language_problems, one_line, question_problems
from agents.grounding import COMPANY_KINDS, Source
from agents.plan.state import ITEM_KINDS, MAX_ITEMS, MIN_ITEMS, REQUIRED_KINDS, PlanItem
from agents.structured import load_json_object

MAX_RATIONALE_CHARS = 200

# The JSON a model is asked for. Sources are cited by label (S1...), never by id.
PLAN_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "minItems": MIN_ITEMS,
            "maxItems": MAX_ITEMS,
            "items": {
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(ITEM_KINDS)},
                    "text": {"type": "string"},
                    "rationale": {"type": "string"},
                    "sources": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["kind", "text", "rationale", "sources"],
            },
        }
    },
    "required": ["items"],
}


def parse_plan(raw: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The items of a model's JSON answer, or the reason it is not a plan."""
    data, problems = load_json_object(raw, 'a JSON object with an "items" list')
    if problems:
        return [], problems
    items = data.get("items")
    if not isinstance(items, list):
        return [], ['the JSON has no "items" list']
    if not all(isinstance(item, dict) for item in items):
        return [], ['every entry of "items" must be an object']
    return items, []


def to_items(
    raw_items: Sequence[dict[str, Any]], sources: Sequence[Source], skill: str
) -> tuple[list[PlanItem], list[str]]:
    by_label = {s.label: s for s in sources}
    items: list[PlanItem] = []
    problems: list[str] = []
    for index, raw in enumerate(raw_items, start=1):
        kind, text, rationale = raw.get("kind"), raw.get("text"), raw.get("rationale")
        labels = raw.get("sources", [])
        if kind not in ITEM_KINDS:
            problems.append(f"item {index}: kind must be one of {', '.join(ITEM_KINDS)}")
            continue
        if not isinstance(text, str) or not isinstance(rationale, str):
            problems.append(f"item {index}: text and rationale must be strings")
            continue
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            problems.append(f"item {index}: sources must be a list of labels like S1")
            continue
        unknown = [label for label in labels if label not in by_label]
        if unknown:
            problems.append(
                f"item {index}: cites {', '.join(unknown)}, which is not among the sources given"
            )
            continue
        citations = tuple(by_label[label].citation() for label in dict.fromkeys(labels))
        items.append(PlanItem(kind, text.strip(), rationale.strip(), citations, skill))
    return items, problems


def plan_problems(items: Sequence[PlanItem], sources: Sequence[Source], language: str) -> list[str]:
    """Everything wrong with a plan; an empty list means the coach may see it."""
    problems: list[str] = []
    if not MIN_ITEMS <= len(items) <= MAX_ITEMS:
        problems.append(f"the plan has {len(items)} items; it needs {MIN_ITEMS} to {MAX_ITEMS}")
    kinds = {item.kind for item in items}
    problems.extend(f"the plan has no {kind} item" for kind in REQUIRED_KINDS if kind not in kinds)
    company_sources = any(s.chunk.kind in COMPANY_KINDS for s in sources)
    for index, item in enumerate(items, start=1):
        problems.extend(f"item {index}: {p}" for p in _item_problems(item, language))
        if sources and not item.citations:
            problems.append(f"item {index}: cite at least one source")
        cites_company = any(c["kind"] in COMPANY_KINDS for c in item.citations)
        if item.kind == "company_question" and company_sources and not cites_company:
            problems.append(
                f"item {index}: a company question must cite a value, culture, strategy "
                "or event source"
            )
    return problems


def _item_problems(item: PlanItem, language: str) -> list[str]:
    problems = (
        action_problems(item.text, language)
        if item.kind == "micro_action"
        else question_problems(item.text, language)
    )
    problems += language_problems(item.text, language)
    if not item.rationale:
        problems.append("give a one-line rationale for the coach")
    elif one_line(item.rationale, MAX_RATIONALE_CHARS) != item.rationale:
        problems.append(f"the rationale must be one line of at most {MAX_RATIONALE_CHARS} chars")
    return problems
