"""One thread round trip per SQLite statement instead of four.

aiosqlite runs each call on its connection's own thread, and SQLAlchemy's adapter makes four
calls per statement (open a cursor, execute, fetch the rows, close the cursor): four hand-offs
to that thread and back to the event loop, each a wake-up on both sides. A chat turn ran about
40 of them. Here the four steps run as one function on that thread; the result (description,
rows, lastrowid, rowcount) comes back at once, as the adapter kept it anyway (it fetched all
rows eagerly). Server-side cursors (streamed results) keep the stock behaviour.

This leans on aiosqlite's `Connection._execute(fn, ...)` (run `fn` on its thread) and
`_conn` (the sqlite3 connection); both are in the locked version and covered by the tests.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)

_Result = tuple[Any, list[Any], Any, int]


def _execute(conn: sqlite3.Connection, operation: str, parameters: Any) -> _Result:
    """On aiosqlite's thread: what the adapter's four calls did."""
    cursor = conn.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _executemany(conn: sqlite3.Connection, operation: str, parameters: Any) -> _Result:
    cursor = conn.cursor()
    try:
        cursor.executemany(operation, parameters)
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._run(_execute, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._run(_executemany, operation, seq_of_parameters)

    def _run(self, step: Any, operation: Any, parameters: Any) -> None:
        connection: Any = self._connection  # an aiosqlite.Connection
        try:
            call = connection._execute(step, connection._conn, operation, parameters)
            result = self.await_(call)
        except Exception as error:
            self._adapt_connection._handle_exception(error)  # raises, translated
        self.description, rows, self.lastrowid, self.rowcount = result
        self._rows = deque(rows)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return OneHopCursor(self)


def adopt(dbapi_connection: Any) -> None:
    """Called on each new connection (the engine's `connect` event): same object, same state,
    only its `cursor()` differs."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneHopConnection
