"""What the between-session e-mail jobs share: a polling loop, a database, a movable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncSession

from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.lib.tracing import NO_TRACER
from app.settings import Settings


class MailJob:
    """Runs `run_once` every `announce_poll_seconds` while the app runs (SMTP configured).
    Tests call `run_once` themselves, with the clock they choose."""

    name = "mail-job"

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._clock = clock
        # One interval after start, not at once: what is due is not urgent, and a test (or an
        # operator) starting an app with SMTP sees only the mail it causes.
        self._loop = PollingLoop(
            self.name, self.run_once, settings.announce_poll_seconds, wait_first=True, tracer=tracer
        )

    async def start(self) -> None:
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()

    async def run_once(self) -> int:
        """One pass; returns how many e-mails were queued."""
        raise NotImplementedError
