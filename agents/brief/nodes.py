"""The brief graph's steps. Each takes the state and returns what it changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agents.brief.composer import compose_brief
from agents.brief.prompts import brief_messages, repair_messages
from agents.brief.state import BriefState, label_evidence
from agents.brief.validate import BRIEF_SCHEMA, brief_problems, parse_brief, to_points
from agents.llm import ChatMessage, ChatModel
from agents.structured import ask_json

MAX_REPAIRS = 1
MAX_TOKENS = 2000  # five sections of up to five 300-character points, plus the JSON


def draft(state: BriefState, llm: ChatModel) -> dict[str, Any]:
    return _ask(state, llm, brief_messages(state["request"]), repairs=0)


def repair(state: BriefState, llm: ChatModel) -> dict[str, Any]:
    messages = repair_messages(state["request"], state.get("raw", ""), state.get("problems", []))
    return _ask(state, llm, messages, repairs=state.get("repairs", 0) + 1)


def _ask(
    state: BriefState, llm: ChatModel, messages: Sequence[ChatMessage], repairs: int
) -> dict[str, Any]:
    return ask_json(state, llm, messages, BRIEF_SCHEMA, repairs=repairs, max_tokens=MAX_TOKENS)


def validate(state: BriefState) -> dict[str, Any]:
    request = state["request"]
    sections, problems = parse_brief(state.get("raw", ""))
    points, point_problems = to_points(sections, label_evidence(request.evidence))
    problems += point_problems
    if not problems:
        problems = brief_problems(points, request)
    return {"points": {} if problems else points, "problems": problems}


def compose(state: BriefState) -> dict[str, Any]:
    """The composer's brief: the default without a model, the fallback after a failed repair."""
    update: dict[str, Any] = {"points": compose_brief(state["request"])}
    if state.get("model_calls"):
        update["fallback_reason"] = "the model's brief failed validation after one repair"
    return update


def after_validate(state: BriefState) -> str:
    if not state.get("problems"):
        return "done"
    return "repair" if state.get("repairs", 0) < MAX_REPAIRS else "compose"
