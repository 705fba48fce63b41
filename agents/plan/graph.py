"""The plan graph: retrieve → draft → validate → (repair → validate) → done, or compose.

Without a model the graph goes straight from retrieval to the composer. With one, an answer
that fails validation gets one repair request; a second failure falls back to the composer,
and the result says so. Model errors (timeouts, 5xx...) propagate: the job decides to retry.
"""

from __future__ import annotations

from functools import partial
from typing import TypeAlias, cast

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from agents.llm import ChatModel
from agents.plan import nodes
from agents.plan.composer import COMPOSER_VERSION
from agents.plan.prompts import PROMPT_VERSION
from agents.plan.state import PlanRequest, PlanResult, PlanState
from knowledge.retrieval import Retriever

# State, run context (none), input and output: the graph takes and returns a PlanState.
PlanGraph: TypeAlias = CompiledStateGraph[PlanState, None, PlanState, PlanState]


def build_plan_graph(llm: ChatModel | None, retriever: Retriever) -> PlanGraph:
    graph = StateGraph(PlanState)
    graph.add_node("retrieve", partial(nodes.retrieve, retriever=retriever))
    graph.add_node("compose", nodes.compose)
    graph.add_edge(START, "retrieve")
    graph.add_edge("compose", END)
    if llm is None:
        graph.add_edge("retrieve", "compose")
        return graph.compile()
    graph.add_node("draft", partial(nodes.draft, llm=llm))
    graph.add_node("repair", partial(nodes.repair, llm=llm))
    graph.add_node("validate", nodes.validate)
    graph.add_edge("retrieve", "draft")
    graph.add_edge("draft", "validate")
    graph.add_edge("repair", "validate")
    graph.add_conditional_edges(
        "validate", nodes.after_validate, {"done": END, "repair": "repair", "compose": "compose"}
    )
    return graph.compile()


def draft_plan(
    request: PlanRequest, retriever: Retriever, llm: ChatModel | None = None
) -> PlanResult:
    """Run the plan agent once. The retriever must be bound to `request.organization_id`."""
    if retriever.organization_id != request.organization_id:
        raise ValueError("The retriever belongs to another organisation than the request.")
    # `invoke` is typed `dict[str, Any] | Any` whatever the graph's output schema; with the
    # default stream mode it returns the final state, a PlanState.
    state = cast(PlanState, build_plan_graph(llm, retriever).invoke({"request": request}))
    sources = state.get("sources", [])
    return PlanResult(
        items=state.get("items", []),
        provider=llm.provider if llm else "composer",
        model=llm.model if llm else "",
        prompt_version=PROMPT_VERSION if llm else COMPOSER_VERSION,
        retrieved_ids=[s.chunk.id for s in sources],
        fallback_used=bool(state.get("fallback_reason")),
        fallback_reason=state.get("fallback_reason", ""),
        model_calls=state.get("model_calls", 0),
        tokens_in=state.get("tokens_in", 0),
        tokens_out=state.get("tokens_out", 0),
        problems=state.get("problems", []),
        composer_problems=state.get("composer_problems", []),
    )
