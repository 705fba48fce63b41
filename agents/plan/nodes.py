"""The plan graph's steps. Each takes the state and returns what it changes."""

from __future__ import annotations

from typing import Any

from agents.grounding import search_groups
from agents.llm import ChatModel
from agents.plan.composer import compose_plan, focus_module
from agents.plan.prompts import plan_messages, repair_messages
from agents.plan.state import PlanState
from agents.plan.validate import PLAN_SCHEMA, parse_plan, plan_problems, to_items
from agents.structured import ask_json
from knowledge.documents import DocumentKind
from knowledge.retrieval import Retriever

MAX_REPAIRS = 1


def retrieve(state: PlanState, retriever: Retriever) -> dict[str, Any]:
    request = state["request"]
    module = focus_module(request)
    topic = " ".join(
        filter(None, [request.goal, module.title if module else "", *request.focus_skills])
    )
    # One search per scale, so values, strategy, team and program each get a place. The first
    # looks for the value or strategy section closest to the goal alone, which the composer
    # links the goal to (on the dev split it is an acceptable one more often than with the
    # skill and module title in the query: 17 of 24 sessions against 13).
    groups = [
        (request.goal or topic, (DocumentKind.VALUE, DocumentKind.STRATEGY), 2),
        (topic, (DocumentKind.VALUE,), 2),
        (topic, (DocumentKind.CULTURE,), 1),
        (topic, (DocumentKind.STRATEGY, DocumentKind.EVENT), 2),
        (topic, (DocumentKind.TEAM,), 2),
        (topic, (DocumentKind.PROGRAM_MODULE,), 2),
    ]
    return {"sources": search_groups(retriever, groups)}


def draft(state: PlanState, llm: ChatModel) -> dict[str, Any]:
    return _ask(state, llm, plan_messages(state["request"], state["sources"]), repairs=0)


def repair(state: PlanState, llm: ChatModel) -> dict[str, Any]:
    messages = repair_messages(
        state["request"], state["sources"], state.get("raw", ""), state.get("problems", [])
    )
    return _ask(state, llm, messages, repairs=state.get("repairs", 0) + 1)


def _ask(state: PlanState, llm: ChatModel, messages: Any, repairs: int) -> dict[str, Any]:
    return ask_json(state, llm, messages, PLAN_SCHEMA, repairs=repairs)


def validate(state: PlanState) -> dict[str, Any]:
    request = state["request"]
    raw_items, problems = parse_plan(state.get("raw", ""))
    skill = request.focus_skills[0] if request.focus_skills else ""
    items, item_problems = to_items(raw_items, state["sources"], skill)
    problems += item_problems
    if not problems:
        problems = plan_problems(items, state["sources"], request.language)
    return {"items": [] if problems else items, "problems": problems}


def compose(state: PlanState) -> dict[str, Any]:
    """The composer's plan: the default without a model, the fallback after a failed repair."""
    request = state["request"]
    items = compose_plan(request, state["sources"])
    # Held to the same rules as a model; a problem here is a composer bug, kept visible.
    update: dict[str, Any] = {
        "items": items,
        "composer_problems": plan_problems(items, state["sources"], request.language),
    }
    if state.get("model_calls"):
        update["fallback_reason"] = "the model's plan failed validation after one repair"
    return update


def after_validate(state: PlanState) -> str:
    if not state.get("problems"):
        return "done"
    return "repair" if state.get("repairs", 0) < MAX_REPAIRS else "compose"
