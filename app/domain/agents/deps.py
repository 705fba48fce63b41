from __future__ import annotations

from litestar.datastructures import State

from app.domain.agents.runtime import AgentRuntime
from app.lib.background import Waker


def provide_agents(state: State) -> AgentRuntime:
    runtime: AgentRuntime = state.agents
    return runtime


def provide_plan_worker(state: State) -> Waker:
    worker: Waker = state.plan_worker
    return worker
