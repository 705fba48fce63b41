"""The plan agent: from a logged session to 3-6 draft items for the coach to review."""

from agents.plan.graph import build_plan_graph, draft_plan
from agents.plan.state import BankQuestion, ModuleInfo, PlanItem, PlanRequest, PlanResult

__all__ = [
    "BankQuestion",
    "ModuleInfo",
    "PlanItem",
    "PlanRequest",
    "PlanResult",
    "build_plan_graph",
    "draft_plan",
]
