"""The brief graph: draft → validate → (repair → validate) → done, or compose.

What changed since the session and the open alerts are counted beside the graph, the same
whichever writer wrote the rest.

Without a model the graph is the composer alone. With one, an answer that fails validation
gets one repair request; a second failure falls back to the composer, and the brief says so.
Model errors (timeouts, 5xx...) propagate: the app decides (it asks the composer alone).
"""

from __future__ import annotations

from functools import partial

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.brief import nodes
from agents.brief.changes import compose_changes
from agents.brief.composer import COMPOSER_VERSION
from agents.brief.prompts import PROMPT_VERSION
from agents.brief.state import Brief, BriefRequest, BriefState
from agents.llm import ChatModel

BriefGraph = CompiledStateGraph[BriefState, None, BriefState, BriefState]


def build_brief_graph(llm: ChatModel | None) -> BriefGraph:
    graph = StateGraph(BriefState)
    graph.add_node("compose", nodes.compose)
    graph.add_edge("compose", END)
    if llm is None:
        graph.add_edge(START, "compose")
        return graph.compile()
    graph.add_node("draft", partial(nodes.draft, llm=llm))
    graph.add_node("repair", partial(nodes.repair, llm=llm))
    graph.add_node("validate", nodes.validate)
    graph.add_edge(START, "draft")
    graph.add_edge("draft", "validate")
    graph.add_edge("repair", "validate")
    graph.add_conditional_edges(
        "validate", nodes.after_validate, {"done": END, "repair": "repair", "compose": "compose"}
    )
    return graph.compile()


def draft_brief(request: BriefRequest, llm: ChatModel | None = None) -> Brief:
    """Run the brief agent once on material the app already filtered for this coach."""
    state = build_brief_graph(llm).invoke({"request": request})
    points = state.get("points", {})
    return Brief(
        changes=compose_changes(request),  # counted, whoever wrote the rest
        answers=points.get("answers", []),
        themes=points.get("themes", []),
        progress=points.get("progress", []),
        open_questions=points.get("open_questions", []),
        explore=points.get("explore", []),
        provider=llm.provider if llm else "composer",
        model=llm.model if llm else "",
        prompt_version=PROMPT_VERSION if llm else COMPOSER_VERSION,
        fallback_used=bool(state.get("fallback_reason")),
        fallback_reason=state.get("fallback_reason", ""),
        model_calls=state.get("model_calls", 0),
        tokens_in=state.get("tokens_in", 0),
        tokens_out=state.get("tokens_out", 0),
        problems=state.get("problems", []),
    )
