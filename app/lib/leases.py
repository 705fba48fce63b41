"""Leases on durable jobs: who holds a job, until when, and who may take it over.

Every job kind whose row says "running" (a plan run, a document being indexed) is claimed
through here, so no two processes on one database run the same job. A claim is one
conditional UPDATE per row: it succeeds only while the row is still due, and writes the new
state, `claimed_by` (this process's id) and `lease_expires_at`. PostgreSQL re-checks the
condition on the row it locked (a second claimant waits, then finds it no longer due); SQLite
runs one writer at a time. The holder renews its leases while it works (`LeaseKeeper`, every
`renew` seconds, well under the lease); a process that dies stops renewing, and once its lease
has passed any process puts the job back in the queue (`requeue_expired`), at start and
periodically. A job whose holder is alive is never re-queued.

Results are fenced: the holder writes them in a transaction that first checks, by a
conditional UPDATE, that it still holds the job (`fence`). That UPDATE locks the row (or takes
SQLite's write lock) until the commit, so a take-over cannot slip in between the check and the
write, and a holder that lost its job writes nothing.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import structlog
from opentelemetry.trace import Tracer
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.lib.background import PollingLoop
from app.lib.clock import utcnow
from app.lib.tracing import NO_TRACER

log = structlog.get_logger("interlude.jobs")


def process_id() -> str:
    """Who holds a job: host, pid and a random tail (two apps in one process differ)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class JobTable:
    """Where one job kind lives: its model (with `status`, `claimed_by`, `lease_expires_at`),
    the status values, and what else makes a row due (its kind, its retry time)."""

    model: Any
    running: Any
    queued: Any
    due_statuses: tuple[Any, ...]
    scope: tuple[ColumnElement[bool], ...] = ()  # which rows of the table are this kind
    ready: Callable[[datetime], Iterable[ColumnElement[bool]]] = lambda now: ()  # retry time
    claim_values: dict[str, Any] = field(default_factory=dict)  # e.g. attempts + 1

    def _due(self, now: datetime) -> list[ColumnElement[bool]]:
        return [*self.scope, self.model.status.in_(self.due_statuses), *self.ready(now)]

    def _running(self) -> list[ColumnElement[bool]]:
        return [*self.scope, self.model.status == self.running]


async def claim(
    db: AsyncSession, table: JobTable, holder: str, now: datetime, lease: timedelta, limit: int
) -> list[UUID]:
    """Take up to `limit` due jobs for `holder`; a concurrent claimant cannot take the same."""
    model = table.model
    candidates = select(model.id).where(*table._due(now)).order_by(model.id).limit(limit)
    if db.get_bind().dialect.name == "postgresql":  # skip rows another claimant has locked
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = []
    for job_id in (await db.scalars(candidates)).all():
        result = await db.execute(
            update(model)
            .where(model.id == job_id, *table._due(now))
            .values(
                status=table.running,
                claimed_by=holder,
                lease_expires_at=now + lease,
                **table.claim_values,
            )
            .execution_options(synchronize_session=False)
        )
        if _count(result):
            claimed.append(job_id)
    return claimed


async def renew(
    db: AsyncSession, table: JobTable, holder: str, ids: Iterable[UUID], until: datetime
) -> int:
    """Push the lease of the jobs `holder` still holds to `until`; returns how many."""
    ids = list(ids)
    if not ids:
        return 0
    model = table.model
    result = await db.execute(
        update(model)
        .where(model.id.in_(ids), *table._running(), model.claimed_by == holder)
        .values(lease_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return _count(result)


async def requeue_expired(db: AsyncSession, table: JobTable, now: datetime) -> int:
    """Put back in the queue the running jobs whose lease has passed (their holder died or
    hung). A row with no lease was left by a version before leases: expired too."""
    model = table.model
    result = await db.execute(
        update(model)
        .where(
            *table._running(),
            or_(model.lease_expires_at.is_(None), model.lease_expires_at < now),
        )
        .values(status=table.queued, claimed_by=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return _count(result)


async def give_back(db: AsyncSession, table: JobTable, holder: str) -> int:
    """Put back in the queue every running job `holder` still holds (it stops cleanly), so a
    restart does not wait for the leases to pass."""
    model = table.model
    result = await db.execute(
        update(model)
        .where(*table._running(), model.claimed_by == holder)
        .values(status=table.queued, claimed_by=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)
    )
    return _count(result)


async def fence(db: AsyncSession, table: JobTable, holder: str, job_id: UUID) -> bool:
    """Whether `holder` still holds the job; call it first in the transaction that writes the
    job's results, and write nothing when False. The UPDATE keeps the row locked until that
    transaction ends, so nobody takes the job over between this check and the commit."""
    model = table.model
    result = await db.execute(
        update(model)
        .where(model.id == job_id, *table._running(), model.claimed_by == holder)
        .values(claimed_by=holder)
        .execution_options(synchronize_session=False)
    )
    return _count(result) == 1


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class LeaseKeeper:
    """One worker's leases: claims for it, renews what it holds every `renew_seconds`, and on
    the same beat re-queues whatever expired anywhere (a dead process's jobs)."""

    def __init__(
        self,
        name: str,
        sessions: Callable[[], AsyncSession],
        table: JobTable,
        *,
        holder: str,
        lease_seconds: float,
        renew_seconds: float,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.holder = holder
        self.table = table
        self._sessions = sessions
        self._lease = timedelta(seconds=lease_seconds)
        self._clock = clock
        self._held: set[UUID] = set()
        self._loop = PollingLoop(f"{name}-leases", self.beat, renew_seconds, wait_first=True)

    async def start(self) -> None:
        """Re-queue what dead holders left, then keep this worker's leases alive."""
        async with self._sessions() as db, db.begin():
            requeued = await requeue_expired(db, self.table, self._clock())
        if requeued:
            log.info("jobs_requeued", loop=self._loop.name, jobs=requeued)
        self._loop.start()

    async def stop(self) -> None:
        """Stop renewing and give back what this worker still holds; call it once the
        worker's own loop has stopped, so nothing of it is still running."""
        await self._loop.stop()
        self._held.clear()
        async with self._sessions() as db, db.begin():
            given = await give_back(db, self.table, self.holder)
        if given:
            log.info("jobs_given_back", loop=self._loop.name, jobs=given)

    async def claim(self, limit: int) -> list[UUID]:
        async with self._sessions() as db, db.begin():
            claimed = await claim(db, self.table, self.holder, self._clock(), self._lease, limit)
        self._held.update(claimed)
        return claimed

    def release(self, job_id: UUID) -> None:
        """The job is settled (or lost): stop renewing it."""
        self._held.discard(job_id)

    async def fence(self, db: AsyncSession, job_id: UUID) -> bool:
        held = await fence(db, self.table, self.holder, job_id)
        if not held:
            # Taken over by another process, or the row is gone (an erasure, a deletion).
            log.warning("job_lease_lost", loop=self._loop.name, job_id=str(job_id))
        return held

    async def beat(self) -> int:
        """Renew this worker's leases and re-queue expired ones; always 0 (the loop waits)."""
        now = self._clock()
        async with self._sessions() as db, db.begin():
            await renew(db, self.table, self.holder, set(self._held), now + self._lease)
            requeued = await requeue_expired(db, self.table, now)
        if requeued:
            log.info("jobs_requeued", loop=self._loop.name, jobs=requeued)
        return 0


class LeasedWorker:
    """A background loop over one job kind: it claims a batch of due jobs under leases, runs
    each (`run`, what the job kind does) and stops renewing it once settled. What a job's
    state becomes is the job kind's service's business, not the loop's."""

    name = "jobs"
    batch = 5

    def __init__(
        self,
        sessions: Callable[[], AsyncSession],
        table: JobTable,
        *,
        poll_seconds: float,
        lease_seconds: float,
        renew_seconds: float,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
        tracer: Tracer = NO_TRACER,
    ) -> None:
        """`tracer`: the spans of passes that handled something (app/lib/tracing.py)."""
        self._loop = PollingLoop(self.name, self.run_once, poll_seconds, tracer=tracer)
        self.leases = LeaseKeeper(
            self.name,
            sessions,
            table,
            holder=holder or process_id(),
            lease_seconds=lease_seconds,
            renew_seconds=renew_seconds,
            clock=clock,
        )

    def wake(self) -> None:
        self._loop.wake()

    async def start(self) -> None:
        await self.leases.start()  # re-queues only what dead processes left
        self._loop.start()

    async def stop(self) -> None:
        await self._loop.stop()
        await self.leases.stop()

    async def run_once(self) -> int:
        """Run the jobs that are due now; returns how many were handled."""
        claimed = await self.leases.claim(self.batch)
        for job_id in claimed:
            try:
                await self.run(job_id)
            finally:
                self.leases.release(job_id)
        return len(claimed)

    async def run(self, job_id: UUID) -> None:
        raise NotImplementedError


async def claim_outbox_row(
    db: AsyncSession, model: Any, row_id: UUID, seen: datetime, until: datetime
) -> bool:
    """The lease of an outbox row (an e-mail, a webhook delivery), which has no `running`
    state: its next attempt moved past the lease, only if no other worker did since it was
    read (compare and set), so two workers at once never both send it. A sender that dies
    leaves the row due again once the lease has passed; nothing re-queues it at start. (A
    test found SQLite's two readers claiming the same rows when this was written through the
    ORM.)"""
    result = await db.execute(
        update(model)
        .where(model.id == row_id, model.status == "pending", model.next_attempt_at == seen)
        .values(next_attempt_at=until)
        .execution_options(synchronize_session=False)
    )
    return _count(result) == 1
