"""SQLite writers of one process take their turn in arrival order.

SQLite has one writer at a time, and a connection that finds the write lock taken polls for
it (`busy_timeout`) with sleeps that grow to 100 ms. Polling is not a queue: under load an
unlucky writer keeps missing the moments the lock is free while later ones get it, and fails
with "database is locked" once its timeout is spent (reproduced with 40 writers each holding
the lock 30 ms, timeout 10 s: 5 failed after 10.08 s). This is what the chat turns met under
the throughput bench.

So before a connection's first write statement in a transaction, it waits on an asyncio lock
shared by the engine's connections (FIFO), and lets it go when the transaction ends. The
lock is held exactly while SQLite's own write lock is (the driver begins its transaction at
the first INSERT, UPDATE, DELETE or REPLACE, reads before it take no lock), so reads never
queue. SQLite's busy_timeout still arbitrates with other processes (the CLI).

Not `BEGIN IMMEDIATE`: a transaction here starts at its first write statement already (the
driver's implicit BEGIN), so a read snapshot is never upgraded; what failed was the wait.
"""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

_HOLDS = "interlude_sqlite_writer"  # key in the DBAPI connection's info: it holds the turn
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriterQueue:
    """One asyncio lock per event loop (an engine is used by one loop at a time)."""

    def __init__(self, wait_s: float) -> None:
        self._wait_s = wait_s
        self._lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _current(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._loop is not loop:
            self._lock, self._loop = asyncio.Lock(), loop
        return self._lock

    async def acquire(self) -> asyncio.Lock:
        lock = self._current()
        try:
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for returns the lock instead
            # of raising when the caller is cancelled as the lock is granted.
            async with asyncio.timeout(self._wait_s):
                await lock.acquire()
        except TimeoutError:
            # What SQLite itself would answer: callers already handle it (a failed turn).
            raise sqlite3.OperationalError(
                f"database is locked (waited {self._wait_s:g} s for this process's writers)"
            ) from None
        return lock


def install(engine: AsyncEngine, wait_s: float) -> None:
    """Queue `engine`'s writers (see the module docstring)."""
    queue = WriterQueue(wait_s)

    def before_execute(conn: Connection, _cursor: Any, statement: str, *_args: Any) -> None:
        info = conn.info
        if _HOLDS in info or not statement.lstrip()[:7].upper().startswith(_WRITES):
            return
        # Event handlers run inside SQLAlchemy's greenlet, on the event loop: they may await.
        info[_HOLDS] = await_only(queue.acquire())

    def end(conn: Connection) -> None:
        # Called just before the DBAPI commit or rollback: the next writer may find SQLite's
        # lock held for that instant, and its busy_timeout covers it.
        if conn.invalidated:
            # Dropped mid-transaction (a cancellation inside a statement): the pool's
            # invalidate event below let the turn go, and reading `conn.info` now would
            # raise PendingRollbackError over the cancellation.
            return
        _release(conn.info)

    # A connection returned, closed or invalidated mid-transaction lets its turn go too.
    def returned(_dbapi: Any, record: Any) -> None:
        if record is not None:
            _release(record.info)

    def reset(dbapi: Any, record: Any, _state: Any) -> None:
        returned(dbapi, record)

    def invalidated(dbapi: Any, record: Any, _error: Any) -> None:
        returned(dbapi, record)

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", before_execute)
    event.listen(sync, "commit", end)
    event.listen(sync, "rollback", end)
    event.listen(sync.pool, "checkin", returned)
    event.listen(sync.pool, "close", returned)
    event.listen(sync.pool, "reset", reset)
    event.listen(sync.pool, "invalidate", invalidated)


def _release(info: dict[Any, Any]) -> None:
    lock = info.pop(_HOLDS, None)
    if lock is not None and lock.locked():
        lock.release()
