"""The application's one error type, and its mapping to HTTP (the only place that does it).

Every error reaches the client as `{"error": {"code", "message", "field"}}` with a message
that says what to fix. Server errors never echo internals.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ExceptionHandlersMap

from app.lib.schema import PATTERN_MEANINGS
from knowledge.base import KnowledgeBusy
from knowledge.embeddings import EmbeddingError
from knowledge.errors import ReindexRequired, StoreUnavailable

log = structlog.get_logger("interlude.errors")


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InvalidInput(AppError):
    status_code = 400
    code = "invalid_input"


class Unauthenticated(AppError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    """Unknown ids and other organisations' ids answer the same, so nothing leaks."""

    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Unavailable(AppError):
    """A dependency (the chat model) failed for now: the client may retry after a while."""

    status_code = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after_s = retry_after_s


class Stale(AppError):
    """The caller's If-Match names a version that is no longer the current one."""

    status_code = 412
    code = "stale"


class ErrorDetail(msgspec.Struct, frozen=True):
    code: str  # stable and machine-readable: "validation_error", "not_found", "stale", ...
    message: str  # for a person: what to fix
    field: str | None  # the parameter or body field at fault (a dotted path), when one is


class ErrorBody(msgspec.Struct, frozen=True):
    """Every error answer's body; the OpenAPI document describes errors with this very type."""

    error: ErrorDetail


def error_body(code: str, message: str, field: str | None = None) -> ErrorBody:
    return ErrorBody(error=ErrorDetail(code=code, message=message, field=field))


def _json(status: int, code: str, message: str, field: str | None = None) -> Response[Any]:
    return Response(
        content=error_body(code, message, field), status_code=status, media_type=MediaType.JSON
    )


def app_error_handler(_: Request[Any, Any, Any], exc: AppError) -> Response[Any]:
    response = _json(exc.status_code, exc.code, exc.message, exc.field)
    if isinstance(exc, Unavailable):
        response.headers["Retry-After"] = str(exc.retry_after_s)
    return response


_MSGSPEC_PATH = re.compile(r" - at `\$\.?([^`]*)`")
# A query parameter whose name Litestar reserves (`state`) is declared as `state_filter` with
# the public name as alias; errors report the kwarg, so the suffix is taken off here.
RESERVED_NAME_SUFFIX = "_filter"
_REGEX = re.compile(r"matching regex '(.*)'$", re.DOTALL)
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")


def _validation_field_and_message(exc: ValidationException) -> tuple[str | None, str]:
    """Litestar reports msgspec errors as `extra=[{"message", "key", "source"}]`.

    The key is the parameter name, or "data" for the body; msgspec's message may add a path
    (`- at $.policy.languages[0]`) or name the field (`unknown field `x``). Keep the most precise.
    """
    extra = exc.extra if isinstance(exc.extra, list) else []
    item = next((i for i in extra if isinstance(i, dict)), {})
    message = str(item.get("message", exc.detail))
    key = item.get("key")
    field = None if key in (None, "data") else str(key).removesuffix(RESERVED_NAME_SUFFIX)
    path = _MSGSPEC_PATH.search(message)
    if path:
        message = message[: path.start()]
        field = path.group(1) or field
    # msgspec shows the pattern with its backslashes doubled.
    if regex := _REGEX.search(message):
        message = PATTERN_MEANINGS.get(regex.group(1).replace("\\\\", "\\"), message)
    named = _NAMED_FIELD.search(message)
    if named:
        field = f"{field}.{named.group(1)}" if path and field else named.group(1)
    return field, message


def validation_error_handler(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    field, message = _validation_field_and_message(exc)
    if field:
        message = f"{message} (field: {field})"
    return _json(400, "validation_error", message, field)


_HTTP_CODES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if status >= 500:
        return _json(status, "server_error", "The server could not handle this request.")
    message = str(exc.detail)
    if status == 413:
        message = "The request body is too large. Send less data in one request."
    if status == 429 and message == "Too Many Requests":  # Litestar's rate-limit middleware
        message = "Too many login attempts from this address: wait a minute and try again."
    response = _json(status, _HTTP_CODES.get(status, "bad_request"), message)
    if exc.headers:
        response.headers.update(exc.headers)
    if status == 429 and "Retry-After" not in response.headers:
        # The middleware says when its window resets (RateLimit-Reset, in seconds).
        response.headers["Retry-After"] = response.headers.get("RateLimit-Reset", "60")
    return response


def bad_encoding_handler(_: Request[Any, Any, Any], __: UnicodeError) -> Response[Any]:
    return _json(400, "invalid_encoding", "The request is not valid UTF-8. Send UTF-8 text.")


def knowledge_unavailable_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """The knowledge store cannot serve now: its message says what the operator must do."""
    log.warning("knowledge_unavailable", error_type=type(exc).__name__)
    return _json(503, "knowledge_unavailable", str(exc))


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.error(
        "unhandled_error",
        error_type=type(exc).__name__,
        route=request.scope.get("path_template", ""),
        exc_info=exc,
    )
    return _json(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "server_error",
        "Something went wrong on our side. The request id in X-Request-ID helps us find it.",
    )


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    AppError: app_error_handler,
    ValidationException: validation_error_handler,
    HTTPException: http_error_handler,
    UnicodeError: bad_encoding_handler,
    ReindexRequired: knowledge_unavailable_handler,
    KnowledgeBusy: knowledge_unavailable_handler,
    StoreUnavailable: knowledge_unavailable_handler,
    EmbeddingError: knowledge_unavailable_handler,
    Exception: internal_error_handler,
}
