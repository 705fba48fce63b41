"""Nothing lost, nothing twice: a worker killed (SIGKILL) between claiming a mail and sending it
leaves the mail to the next worker once its lease has passed, and two workers at once send each
mail once. A real SMTP server (aiosmtpd on loopback) counts what arrives; the clock is moved."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from app.domain.notifications.outbox import LEASE, OutboxWorker, SmtpMailer, queue_email
from app.lib.clock import utcnow
from app.settings import Settings
from tests.mail import Inbox, mail_settings, send_due
from tests.support import OrgWorld, run_db

ROOT = Path(__file__).resolve().parents[2]


def _queue(settings: Settings, world: OrgWorld, count: int) -> None:
    async def work(db: Any) -> None:
        for n in range(count):
            await queue_email(
                db,
                organization_id=world.id,
                key=f"crash-test:{n}",
                to=f"person{n}@example.org",
                subject=f"Mail {n}",
                text="Hello.",
            )

    run_db(settings, work)


def test_a_worker_killed_after_claiming_loses_nothing(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
    tmp_path: Path,
) -> None:
    inbox, port = smtp
    client = start_app()  # no SMTP of its own: the workers below are the only senders
    _queue(settings, worlds[0], 3)
    ready = tmp_path / "claimed"
    victim = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "tests.outbox_victim", settings.resolved_database_url, str(ready)],
        cwd=ROOT,
        env={**os.environ, "INTERLUDE_LOG_LEVEL": "WARNING"},
    )
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert victim.poll() is None, "the victim process ended before claiming"
        assert time.monotonic() < deadline, "the victim never claimed the mails"
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)

    now = utcnow()
    assert send_due(client, settings, port, at=now) == 0  # claimed: left alone meanwhile
    assert send_due(client, settings, port, at=now + LEASE + timedelta(seconds=1)) == 3
    assert send_due(client, settings, port, at=now + LEASE + timedelta(minutes=1)) == 0
    assert sorted(m["Subject"] for m in inbox.messages) == ["Mail 0", "Mail 1", "Mail 2"]


def test_two_workers_at_once_send_each_mail_once(
    worlds: list[OrgWorld],
    start_app: Callable[..., TestClient[Any]],
    smtp: tuple[Inbox, int],
    settings: Settings,
) -> None:
    inbox, port = smtp
    client = start_app()
    _queue(settings, worlds[0], 10)
    configured = settings.model_copy(update=mail_settings(port))
    later = utcnow() + timedelta(seconds=1)

    async def both() -> None:
        import anyio

        workers = [
            OutboxWorker(
                client.app.state.session_maker,
                SmtpMailer(configured),
                configured,
                clock=lambda: later,
            )
            for _ in range(2)
        ]
        async with anyio.create_task_group() as group:
            for worker in workers:
                group.start_soon(worker.send_due)

    client.blocking_portal.call(both)
    assert send_due(client, settings, port, at=later + timedelta(minutes=1)) == 0
    subjects = sorted(m["Subject"] for m in inbox.messages)
    assert subjects == sorted(f"Mail {n}" for n in range(10))  # each once, none lost
