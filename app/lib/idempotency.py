"""`Idempotency-Key` on POST: a client that retries after a timeout gets the first answer
again instead of creating a second thing.

The first POST with a key runs as usual and its answer (under 5xx) is kept for
IDEMPOTENCY_TTL_S, under the caller's credential, the path and the key. The same key again:
- with the same body: the kept answer, marked `Idempotent-Replayed: true`, and nothing runs;
- with another body: 422 naming `Idempotency-Key` (a key names one request);
- while the first is still running: 409, to retry in a moment.
An answer of 5xx is not kept (trying again may succeed), nor one larger than MAX_KEPT_BYTES.

Kept in the app's store: Redis when `REDIS_URL` is set (shared by every server), memory
otherwise. Two servers receiving the same key at the same instant may both run it: the store
has no atomic set-if-absent, so the check is exact within one process only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
from typing import Any

import msgspec
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    ReceiveMessage,
    Scope,
    Send,
)

from app.lib.errors import error_body
from app.lib.throttle import STORE

HEADER = "idempotency-key"
IDEMPOTENCY_TTL_S = 24 * 3600
MAX_KEY_CHARS = 255
MAX_KEPT_BYTES = 1_000_000
# Replayed as they were; the others (dates, request ids) belong to the new answer.
KEPT_HEADERS = {b"content-type", b"location", b"etag", b"retry-after"}


class IdempotencyMiddleware:
    """Pure ASGI: it must see the whole answer to keep it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._lock = asyncio.Lock()  # check-then-mark is one step within this process

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        key = headers.get(HEADER)
        credential = headers.get("authorization") or headers.get("cookie")
        if key is None or not credential:
            await self.app(scope, receive, send)  # no key, or nobody to keep it for
            return
        if not key or len(key) > MAX_KEY_CHARS or not key.isprintable() or not key.isascii():
            await _answer(
                send,
                400,
                "bad_idempotency_key",
                "Idempotency-Key must be 1 to "
                f"{MAX_KEY_CHARS} printable ASCII characters, e.g. a UUID.",
            )
            return
        body, read = await _read_body(receive)
        store = scope["app"].stores.get(STORE)
        slot = (
            "idem:"
            + hashlib.sha256("\n".join([credential, scope["path"], key]).encode()).hexdigest()
        )
        fingerprint = hashlib.sha256(body).hexdigest()
        async with self._lock:
            kept = await store.get(slot)
            if kept is None:
                pending = {"state": "running", "body": fingerprint}
                await store.set(slot, json.dumps(pending), expires_in=IDEMPOTENCY_TTL_S)
        if kept is not None:
            await _replay(send, json.loads(kept), fingerprint)
            return
        await self._run(scope, _replaying(read, receive), send, store, slot, fingerprint)

    async def _run(
        self, scope: Scope, receive: Receive, send: Send, store: Any, slot: str, fingerprint: str
    ) -> None:
        answer: dict[str, Any] = {"status": 500, "headers": [], "chunks": []}

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                answer["headers"] = [
                    [name.decode("latin-1"), value.decode("latin-1")]
                    for name, value in message.get("headers", [])
                    if name.lower() in KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                answer["chunks"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, keep)
        except BaseException:
            await store.delete(slot)
            raise
        content = b"".join(answer["chunks"])
        if answer["status"] >= 500 or len(content) > MAX_KEPT_BYTES:
            await store.delete(slot)
            return
        done = {
            "state": "done",
            "body": fingerprint,
            "status": answer["status"],
            "headers": answer["headers"],
            "content": base64.b64encode(content).decode(),
        }
        await store.set(slot, json.dumps(done), expires_in=IDEMPOTENCY_TTL_S)


async def _read_body(receive: Receive) -> tuple[bytes, list[ReceiveMessage]]:
    """The request body, and the messages read to get it (replayed to the app)."""
    chunks: list[bytes] = []
    messages: list[ReceiveMessage] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks), messages


def _replaying(read: list[ReceiveMessage], receive: Receive) -> Receive:
    """A `receive` that gives the app the messages already read, then the real ones."""
    pending = list(read)

    async def replay() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await receive()

    return replay


async def _replay(send: Send, kept: dict[str, Any], fingerprint: str) -> None:
    if kept.get("body") != fingerprint:
        await _answer(
            send,
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request body: use a new key for a new "
            "request.",
        )
        return
    if kept.get("state") != "done":
        await _answer(
            send,
            409,
            "idempotency_in_progress",
            "A request with this Idempotency-Key is still running: retry in a moment.",
            retry_after=1,
        )
        return
    content = base64.b64decode(kept["content"])
    headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in kept["headers"]]
    headers += [(b"content-length", str(len(content)).encode()), (b"idempotent-replayed", b"true")]
    await _send(send, kept["status"], headers, content)


async def _answer(
    send: Send, status: int, code: str, message: str, *, retry_after: int | None = None
) -> None:
    content = msgspec.json.encode(error_body(code, message, "Idempotency-Key"))
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await _send(send, status, headers, content)


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": headers,
    }
    await send(start)
    whole: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(whole)
