"""A process that runs plan jobs and freezes in the middle of a claimed batch: the test kills
it with SIGKILL there, as a crash or an out-of-memory kill would
(tests/integration/test_job_leases.py). Composer mode: no model.

Run as `python -m tests.plan_victim DATABASE_URL DATA_DIR READY_FILE RUNS_BEFORE_FREEZING`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from uuid import UUID

from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db.engine import create_engine
from app.domain.agents.runtime import AgentRuntime
from app.domain.plans.worker import PlanWorker
from app.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embeddings import UniversalSentenceEncoder

VICTIM = "victim-process"


class FreezingWorker(PlanWorker):
    def __init__(self, *args: object, ready: Path, after: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._ready, self._after, self._done = ready, after, 0

    async def run(self, run_id: UUID) -> None:
        await super().run(run_id)
        self._done += 1
        if self._done == self._after:  # committed; the rest of the batch stays claimed
            self._ready.write_text(str(self._done))
            # The whole process freezes, its lease heartbeat too; the test kills it here.
            time.sleep(600)  # noqa: ASYNC251


async def main(url: str, data_dir: Path, ready: Path, after: int) -> None:
    engine = create_engine(url)
    settings = Settings(environment="test", database_url=url, data_dir=data_dir)
    knowledge = KnowledgeBase(settings.knowledge_dir, UniversalSentenceEncoder())
    worker = FreezingWorker(
        async_sessionmaker(engine, expire_on_commit=False),
        AgentRuntime.with_model(knowledge, None),
        settings,
        holder=VICTIM,
        ready=ready,
        after=after,
    )
    while await worker.run_once():
        pass


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])))
