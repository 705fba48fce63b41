"""Errors on /v1 in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`.

The application's handlers still decide the status, the code and the message (one mapping for
the whole API); this only reshapes their body under /v1, so that OpenAI's SDKs raise the right
exception (BadRequestError, AuthenticationError...) with `param` naming the field to fix. It
wraps the application's handlers, chosen by path, rather than being a Router's own handlers: a
Router's handlers see only errors raised once a route is found, and an unknown path or method under
/v1 (`/v1/embeddings`) must answer in this shape too.

Every error here says `x-should-retry: false`: OpenAI's SDKs retry a 5xx twice by themselves,
and a chat request failing after its message was stored would store it again each time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import MediaType, Request, Response
from litestar.types import ExceptionHandlersMap

_TYPES = {401: "authentication_error", 403: "permission_error", 429: "rate_limit_error"}
NO_RETRY = {"x-should-retry": "false"}


def error_type(status: int) -> str:
    if status >= 500:
        return "server_error"
    return _TYPES.get(status, "invalid_request_error")


def openai_error(status: int, code: str, message: str, param: str | None = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type(status), "param": param, "code": code}}


PREFIX = "/v1"


def in_openai_api(request: Request[Any, Any, Any]) -> bool:
    path: str = request.scope["path"]
    return path == PREFIX or path.startswith(PREFIX + "/")


def _reshaped(native: Response[Any]) -> Response[Any]:
    # The native body is an ErrorBody (or, from Litestar's own handlers, its dict).
    error, status = msgspec.to_builtins(native.content)["error"], native.status_code or 500
    return Response(
        content=openai_error(status, error["code"], error["message"], error["field"]),
        status_code=status,
        headers={**native.headers, **NO_RETRY},
        media_type=MediaType.JSON,
    )


def _by_path(handler: Callable[..., Response[Any]]) -> Callable[..., Response[Any]]:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        native = handler(request, exc)
        return _reshaped(native) if in_openai_api(request) else native

    return handle


def with_openai_errors(handlers: ExceptionHandlersMap) -> ExceptionHandlersMap:
    """The application's handlers, answering in OpenAI's shape under /v1."""
    return {kind: _by_path(handler) for kind, handler in handlers.items()}
