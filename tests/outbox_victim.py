"""A process that claims the outbox's due mails and then hangs before sending: the test kills
it with SIGKILL there, as a crash or an out-of-memory kill would
(tests/integration/test_outbox_crash.py).

Run as `python -m tests.outbox_victim DATABASE_URL READY_FILE`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from app.db.engine import create_engine
from app.domain.notifications.outbox import OutboxWorker
from app.settings import Settings


class HangingMailer:
    def __init__(self, ready: Path) -> None:
        self._ready = ready

    def send(self, message: EmailMessage) -> None:
        self._ready.write_text("claimed")  # the rows are claimed and committed by now
        time.sleep(600)  # the test kills the process here


async def main(url: str, ready: Path) -> None:
    engine = create_engine(url)
    settings = Settings(environment="test", database_url=url, smtp_host="127.0.0.1")
    worker = OutboxWorker(
        async_sessionmaker(engine, expire_on_commit=False), HangingMailer(ready), settings
    )
    await worker.send_due()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
