"""One pass of the real webhook worker, in its own process, over real HTTP: the test kills it
with SIGKILL while one delivery is still in flight (tests/integration/test_webhooks.py).

Run as `python -m tests.webhook_worker_process DATABASE_URL`.
"""

from __future__ import annotations

import asyncio
import sys

from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db.engine import create_engine
from app.domain.webhooks.delivery import DeliveryWorker
from app.settings import Settings

# The receiver holds one request until after the kill: the worker must not give up on it first.
HELD_REQUEST_TIMEOUT_S = 30


async def main(url: str) -> None:
    engine = create_engine(url)
    settings = Settings(
        environment="test",
        database_url=url,
        webhook_allow_private=True,
        webhook_timeout_s=HELD_REQUEST_TIMEOUT_S,
    )
    worker = DeliveryWorker(async_sessionmaker(engine, expire_on_commit=False), settings)
    await worker.send_due()
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
