"""A real SMTP server for tests (aiosmtpd on loopback) and one outbox pass on a chosen clock."""

from __future__ import annotations

import email
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from email.message import EmailMessage as MailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller
from litestar.testing import TestClient

from app.domain.notifications.outbox import OutboxWorker, SmtpMailer
from app.settings import Settings
from evals.llama_server import free_port


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[MailMessage] = []  # parsed with the modern policy: get_body()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 OK"

    def about(self, pattern: str) -> list[MailMessage]:
        """The messages whose subject matches `pattern` (a regular expression): an app started
        with SMTP also sends what is due on its own, e.g. the coaches' weekly digest."""
        return [m for m in self.messages if re.search(pattern, str(m["Subject"]))]

    def text_of(self, message: MailMessage) -> str:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        return str(body.get_content())

    def link_to(self, address: str) -> str:
        """The password link of the last mail to `address`."""
        for message in reversed(self.messages):
            if message["To"] == address:
                found = re.search(r"https?://\S+/password/new#token=[\w-]+", self.text_of(message))
                assert found, self.text_of(message)
                return found.group(0)
        raise AssertionError(f"no mail to {address} among {len(self.messages)}")


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(port: int) -> dict[str, Any]:
    """Settings overrides for an app that mails through the test server; the outbox's loop and
    the between-session jobs' (announcer, reminders, coach digest) wait an hour, so sends happen
    when the test drives them (`send_due`). With the jobs' default minute, a test slowed past it
    (the guard's first training on a busy machine) got the coaches' weekly digest too."""
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_security": "none",
        "outbox_poll_seconds": 3600,
        "announce_poll_seconds": 3600,
        "public_url": "https://coach.example",
    }


def send_due(client: TestClient[Any], settings: Settings, port: int, *, at: datetime) -> int:
    """One pass of an outbox worker whose clock says `at`, on the app's own event loop."""
    configured = settings.model_copy(update=mail_settings(port))
    worker = OutboxWorker(
        client.app.state.session_maker, SmtpMailer(configured), configured, clock=lambda: at
    )
    return client.blocking_portal.call(worker.send_due)
