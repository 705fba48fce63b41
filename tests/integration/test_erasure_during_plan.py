"""A learner who erases their account while a plan job for them is running: the job finishes
without writing anything back about them, and the worker goes on with other learners."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from agents.llm import ChatMessage
from app.db.models import AgentRun, CoachingSession, Suggestion
from app.settings import Settings
from tests.fakes import ScriptedChatModel
from tests.integration.test_agents_api import _index, _log_session, _wait_for_plan
from tests.support import build_worlds, run_db, with_key


class GatedChatModel(ScriptedChatModel):
    """Answers nothing valid, and holds its first call until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__(["not a plan"] * 20)
        self.called = threading.Event()
        self.gate = threading.Event()

    def _next(self, kind: str, messages: Sequence[ChatMessage], **options: Any) -> str:
        self.called.set()
        if not self.gate.wait(timeout=30):
            raise AssertionError("the test never opened the gate")
        return super()._next(kind, messages, **options)


def _rows_about(settings: Settings, learner_id: Any) -> dict[str, int]:
    async def count(db: AsyncSession) -> dict[str, int]:
        counted = {}
        for name, model in (
            ("suggestions", Suggestion),
            ("sessions", CoachingSession),
            ("runs", AgentRun),
        ):
            query = select(func.count()).select_from(model).where(model.learner_id == learner_id)
            counted[name] = int(await db.scalar(query) or 0)
        return counted

    return run_db(settings, count)


def test_an_erasure_during_a_running_plan_leaves_nothing_of_the_learner(
    settings: Settings, start_app: Callable[..., TestClient[Any]]
) -> None:
    worlds = build_worlds(settings, "alpha", "beta")
    _index(settings, worlds)
    alpha = worlds[0]
    model = GatedChatModel()
    client = start_app(model)
    coach = with_key(client, alpha.coach)
    leaving, staying = alpha.learners
    _log_session(coach, leaving.id)
    assert model.called.wait(timeout=30), "the plan job never called the model"

    erased = with_key(client, leaving).post("/api/v1/me/erase", json={"confirm": leaving.email})
    assert erased.status_code == 200, erased.text
    model.gate.set()  # the job goes on: a bad answer, a repair, the composer's plan, a save

    deadline = time.monotonic() + 30
    while model.script and len(model.script) > 18 and time.monotonic() < deadline:
        time.sleep(0.1)  # both of the job's model calls answered
    time.sleep(1.0)  # the time to save what it drafted, were it to try
    assert _rows_about(settings, leaving.id) == {"suggestions": 0, "sessions": 0, "runs": 0}
    # The worker is alive: the next learner's plan is drafted.
    session = _log_session(coach, staying.id)
    assert _wait_for_plan(coach, session["id"])["status"] == "done"
    assert _rows_about(settings, staying.id)["suggestions"] > 0
