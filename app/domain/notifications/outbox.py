"""E-mail through an outbox: queued in the transaction of what it announces, sent by a worker.

`queue_email` writes the row next to the state change (an escalation...), so an alert is never
lost between the commit and the send, and its idempotency key makes a second queueing a no-op.
`OutboxWorker` sends what is due over SMTP (stdlib `smtplib`, in a worker thread), marks it
sent, or schedules a retry with exponential backoff, then gives up after `MAX_ATTEMPTS`, with
the last error recorded. The clock is a parameter, so tests move time instead of sleeping.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol
from uuid import UUID

import anyio.to_thread
import structlog
from opentelemetry.trace import Tracer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import OutboundEmail
from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.lib.leases import claim_outbox_row
from app.lib.tracing import NO_TRACER
from app.settings import Settings

log = structlog.get_logger("interlude.mail")
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 20
# A claimed mail is left alone by other workers this long (a send that hangs past it may be
# tried again by another worker: at most a duplicate alert, never a lost one).
LEASE = timedelta(minutes=5)


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """One connection per batch is not worth its complexity at alert volumes: one per mail."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def send(self, message: EmailMessage) -> None:
        s = self._settings
        context = ssl.create_default_context()
        smtp = (
            smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s, context=context)
            if s.smtp_security == "tls"
            else smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout_s)
        )
        with smtp:
            if s.smtp_security == "starttls":
                smtp.starttls(context=context)
            if s.smtp_username and s.smtp_password is not None:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(message)


async def queue_email(
    db: AsyncSession,
    *,
    organization_id: UUID,
    key: str,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    learner_id: UUID | None = None,
    erase_after_send: bool = False,
    key_checked: bool = False,
) -> bool:
    """Queue one e-mail in the caller's transaction; a key already queued changes nothing
    (False). `erase_after_send`: the text carries a secret (a password link), blanked once
    settled. `key_checked`: the caller looked the key up already (`queued_keys`), for many
    mails at once; the unique key still refuses a duplicate at commit."""
    if not key_checked and await queued_keys(db, [key]):
        return False
    db.add(
        OutboundEmail(
            organization_id=organization_id,
            idempotency_key=key,
            learner_id=learner_id,
            to_address=to,
            subject=subject,
            text_body=text,
            html_body=html,
            next_attempt_at=utcnow(),
            erase_after_send=erase_after_send,
        )
    )
    return True


async def queued_keys(db: AsyncSession, keys: list[str]) -> set[str]:
    """Which of these idempotency keys are queued already (sent or not)."""
    if not keys:
        return set()
    found = await db.scalars(
        select(OutboundEmail.idempotency_key).where(OutboundEmail.idempotency_key.in_(keys))
    )
    return set(found)


def html_paragraphs(text: str) -> str:
    """A plain-text mail body as HTML: blank lines part paragraphs, line ends become <br>.
    The text must be escaped already (links may be added as <a> after escaping)."""
    return "".join(f"<p>{part}</p>" for part in text.split("\n\n")).replace("\n", "<br>")


def build_message(row: OutboundEmail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Message-ID"] = make_msgid(domain="interlude")
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    return message


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


class OutboxWorker:
    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        mailer: Mailer,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        self._sessions = sessions
        self._mailer = mailer
        self._sender = settings.mail_from
        self._clock = clock
        self._loop = PollingLoop(
            "outbox", self.send_due, settings.outbox_poll_seconds, tracer=tracer
        )

    async def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def send_due(self) -> int:
        """Send what is due now; returns how many mails were tried.

        The rows are claimed in a short transaction (their next attempt moved past a lease, so
        another worker leaves them alone), sent with no transaction open (an SMTP server can
        take seconds; SQLite's write lock must not wait on it), then settled one by one."""
        now = self._clock()
        async with self._sessions() as db, db.begin():
            due = (
                await db.scalars(
                    select(OutboundEmail)
                    .where(OutboundEmail.status == "pending", OutboundEmail.next_attempt_at <= now)
                    .order_by(OutboundEmail.next_attempt_at)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)  # PostgreSQL: another worker's rows
                )
            ).all()
            claimed = [
                (row.id, build_message(row, self._sender))
                for row in due
                if await claim_outbox_row(
                    db, OutboundEmail, row.id, row.next_attempt_at, now + LEASE
                )
            ]
        for email_id, message in claimed:
            error = await self._try(message)
            async with self._sessions() as db, db.begin():
                settled = await db.get(OutboundEmail, email_id)
                if settled is not None:  # erased meanwhile: nothing to record
                    settle(settled, error, now)
        return len(claimed)

    async def _try(self, message: EmailMessage) -> str:
        """'' when sent, otherwise what went wrong."""
        try:
            await anyio.to_thread.run_sync(self._mailer.send, message)
        except (OSError, smtplib.SMTPException) as error:
            return f"{type(error).__name__}: {error}"[:500]
        return ""


def settle(row: OutboundEmail, error: str, now: datetime) -> None:
    row.attempts += 1
    if not error:
        row.status, row.sent_at, row.last_error = "sent", now, ""
        _erase_secret(row)
        log.info("mail_sent", email_id=str(row.id), attempts=row.attempts)
        return
    row.last_error = error
    if row.attempts >= MAX_ATTEMPTS:
        row.status = "failed"
        _erase_secret(row)
    else:
        row.next_attempt_at = now + retry_delay(row.attempts)
    # The address and the text stay out of the log: the row id says which mail.
    log.warning("mail_failed", email_id=str(row.id), attempts=row.attempts, status=row.status)


def _erase_secret(row: OutboundEmail) -> None:
    if row.erase_after_send:
        row.text_body = row.html_body = ""
