"""A real HTTP receiver for webhook tests, on loopback in a thread (stdlib http.server).

It checks each request's signature with `verify`, the code the README gives receivers, and
answers 500 to every other request when asked to (`fail_every_other`). It records what it
accepted by event id: the tests assert each event was accepted once and none is missing. It can
hold one request (`hold`, by its number) until the test releases it, to kill a worker while a
delivery is in flight.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from evals.llama_server import free_port


# The README's "Webhooks" section shows this function; keep the two the same.
def verify(secret: str, header: str, body: bytes, tolerance_s: int = 300) -> bool:
    parts = dict(part.partition("=")[::2] for part in header.split(","))
    t, signature = parts.get("t", ""), parts.get("v1", "")
    if not t.isdigit() or abs(time.time() - int(t)) > tolerance_s:
        return False  # too old, or from the future: a captured request sent again
    expected = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


class Receiver:
    def __init__(self, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}/hooks"
        self.secret = ""
        self.mode = "ok"  # ok | fail_every_other | fail
        self.requests = 0
        self.accepted: Counter[str] = Counter()  # event id -> 2xx answers given
        self.payloads: dict[str, dict[str, Any]] = {}
        self.bad_signatures = 0
        self.first_seen: dict[str, float] = {}  # event id -> time.time() of its first request
        self.hold = 0  # the number of the request to hold until `release` is set (0: none)
        self.holding = threading.Event()
        self.release = threading.Event()
        self.held_event_id = ""
        self._lock = threading.Lock()

    def handle(self, headers: Any, body: bytes) -> int:
        with self._lock:
            self.requests += 1
            number = self.requests
            event_id = str(headers.get("Interlude-Event-Id", ""))
            self.first_seen.setdefault(event_id, time.time())
        if number == self.hold:  # outside the lock: the other requests go on meanwhile
            self.held_event_id = event_id
            self.holding.set()
            assert self.release.wait(timeout=60), "the held request was never released"
        with self._lock:
            if not verify(self.secret, str(headers.get("Interlude-Signature", "")), body):
                self.bad_signatures += 1
                return 400
            if self.mode == "fail" or (self.mode == "fail_every_other" and number % 2):
                return 500
            self.accepted[event_id] += 1
            self.payloads[event_id] = json.loads(body)
            return 204

    def wait_for(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < count:
            assert time.monotonic() < deadline, f"{len(self.accepted)} of {count} events came"
            time.sleep(0.05)


@contextmanager
def receiver() -> Iterator[Receiver]:
    port = free_port()
    state = Receiver(port)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = state.handle(self.headers, body)
            # The sender may be gone (killed while this request was held): the event counts as
            # accepted all the same, as with a real receiver that acted on it.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
