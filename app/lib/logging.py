"""Structured logs (JSON by default), the access log and the request metrics.

What is logged: request id, method, route template, status, latency, user and organisation ids.
What never is: bodies, query strings, headers, passwords, keys, message text.

Every line logged while a request is handled carries its `request_id` (a context variable,
merged into each line), so one request's lines can be found together: the client's
`X-Request-ID` when it is short and plain, else a new one; the response returns it.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from app.lib.metrics import get_metrics
from app.settings import Settings

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A metric's label takes one of these, or "other": a client inventing methods must not be able
# to create series without end (the router refuses those before this middleware; in case).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def configure_logging(settings: Settings) -> None:
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[settings.log_level]
        ),
        # sys.stderr is looked up per log call, so a redirected stderr (tests, daemons) is honoured.
        logger_factory=lambda *_: structlog.PrintLogger(file=sys.stderr),
        cache_logger_on_first_use=False,
    )


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


def _route(scope: Scope) -> str:
    """The route template (/api/v1/suggestions/{suggestion_id:uuid}), never the raw path."""
    return str(scope.get("path_template") or "<unmatched>")


class AccessLogMiddleware:
    """Pure ASGI: measures the whole request once, for the access log and the metrics, binds
    its id into every log line, and tags the response with X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("interlude.access")
        metrics = get_metrics()
        self._requests = metrics.requests
        self._latency = metrics.latency
        # Each label set's two children, found once: the registry's lookup takes a lock and
        # costs more than the update itself. As many entries as the metrics have series.
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                seconds = time.perf_counter() - started
                method, route = scope.get("method", ""), _route(scope)
                self._measure(method, route, status, seconds)
                self.log.info(
                    "request",
                    method=method,
                    route=route,
                    status=status,
                    latency_ms=round(seconds * 1000, 2),
                    user_id=state.get("user_id"),
                    organization_id=state.get("organization_id"),
                )

    def _measure(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method if method in _METHODS else "other", route, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = (
                self._requests.labels(key[0], route, str(status)),
                self._latency.labels(key[0], route),
            )
        children[0].inc()
        children[1].observe(seconds)
