from __future__ import annotations

from litestar.datastructures import State

from app.domain.agents.runtime import AgentRuntime
from app.domain.plans.worker import PlanWorker


def provide_agents(state: State) -> AgentRuntime:
    runtime: AgentRuntime = state.agents
    return runtime


def provide_plan_worker(state: State) -> PlanWorker:
    worker: PlanWorker = state.plan_worker
    return worker
