"""Asking a model for JSON and reading what comes back: shared by the plan and brief graphs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from agents.llm import ChatMessage, ChatModel


def load_json_object(raw: str, what: str = "a JSON object") -> tuple[dict[str, Any], list[str]]:
    """A model's answer as a JSON object (Markdown fences tolerated), or why it is not one."""
    text = raw.strip()
    if text.startswith("```"):  # models like to fence JSON
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return {}, [f"the answer is not valid JSON ({error.msg} at char {error.pos})"]
    except (ValueError, RecursionError):  # absurd numbers, absurd nesting
        return {}, ["the answer is not usable JSON"]
    if not isinstance(data, dict):
        return {}, [f"the answer must be {what}"]
    return data, []


def ask_json(
    state: Mapping[str, Any],
    llm: ChatModel,
    messages: Sequence[ChatMessage],
    schema: dict[str, Any],
    *,
    repairs: int,
    max_tokens: int | None = None,
) -> dict[str, Any]:
    """One model call of a draft-validate-repair graph, and the counters the run records.
    A ModelError is not caught: it reaches the caller, whose job decides to retry."""
    completion = llm.complete(messages, json_schema=schema, max_tokens=max_tokens)
    return {
        "raw": completion.text,
        "repairs": repairs,
        "model_calls": state.get("model_calls", 0) + 1,
        "tokens_in": state.get("tokens_in", 0) + completion.tokens_in,
        "tokens_out": state.get("tokens_out", 0) + completion.tokens_out,
    }
