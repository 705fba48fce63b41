"""A process that claims the due webhook deliveries and then hangs before sending: the test
kills it with SIGKILL there, as a crash would (tests/integration/test_webhooks.py).

Run as `python -m tests.webhook_victim DATABASE_URL READY_FILE`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db.engine import create_engine
from app.domain.webhooks.delivery import DeliveryWorker
from app.settings import Settings


class HangingTransport(httpx.AsyncBaseTransport):
    def __init__(self, ready: Path) -> None:
        self._ready = ready

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._ready.write_text("claimed")  # the rows are claimed and committed by now
        await asyncio.sleep(600)  # the test kills the process here
        raise AssertionError("not killed")


async def main(url: str, ready: Path) -> None:
    engine = create_engine(url)
    settings = Settings(environment="test", database_url=url, webhook_allow_private=True)
    worker = DeliveryWorker(
        async_sessionmaker(engine, expire_on_commit=False),
        settings,
        transport=HangingTransport(ready),
    )
    await worker.send_due()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
