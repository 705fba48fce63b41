"""What the OpenAPI document says beyond each handler's signature: its error answers with their
real body (`ErrorBody`), who may call it, and an operation id a generated client can keep.

Errors that follow from a handler's shape are added to every operation by `document_operations`:
400 when it takes parameters or a body, 413 with a body, 404 with ids in its path, 401 and 403
when it needs an identity (no key, or a key without the scope, or a session without its CSRF
token). A handler declares the rest with `responses=errors(Conflict, ...)`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import SecurityRequirement
from litestar.routes import HTTPRoute
from litestar.types import Method
from litestar.types.internal_types import PathParameterDefinition

from app.lib.errors import AppError, ErrorBody

# What an error status means on this API; `error.code` and `error.message` say more.
ERROR_MEANINGS = {
    400: "Invalid input: `error.field` names the parameter or field, `error.message` what to fix.",
    401: "No identity: send an API key (or an integration's learner token) as "
    "`Authorization: Bearer <key>`, or log in; `error.message` says why a credential failed.",
    403: "Not allowed for this role, for this API key's or learner token's scopes, or without "
    "the CSRF token.",
    404: "Unknown id, or one of another organisation (they answer alike).",
    409: "Conflicts with the current state: `error.message` says which.",
    412: "Stale: the If-Match version is no longer the current one; read it again.",
    413: "The request body is too large.",
    429: "Too many attempts: wait for the seconds in Retry-After.",
    503: "A dependency (the chat model, the knowledge store) cannot serve now: retry after the "
    "seconds in Retry-After, or see `error.message`.",
}
SECURITY: list[SecurityRequirement] = [{"apiKey": []}, {"session": []}]
# Keyword arguments Litestar fills from the request itself: never a documented parameter.
_RESERVED = {"request", "scope", "state", "headers", "cookies", "query", "socket", "body", "data"}


def errors(*kinds: type[AppError] | int) -> dict[int, ResponseSpec]:
    """For a handler's `responses=`: the errors it answers besides those of its shape."""
    statuses = sorted({kind if isinstance(kind, int) else kind.status_code for kind in kinds})
    return {status: _error_spec(status) for status in statuses}


def _error_spec(status: int) -> ResponseSpec:
    return ResponseSpec(
        data_container=ErrorBody, description=ERROR_MEANINGS[status], generate_examples=False
    )


def operation_id(
    handler: HTTPRouteHandler, _: Method, __: list[str | PathParameterDefinition]
) -> str:
    """`suggestionApprove`, `feedListItems`: the controller's name, then the handler's, camelCased.

    Clients generated from the document name their methods after it: renaming a handler or its
    controller is an API change (tests/unit/test_openapi.py lists every id).
    """
    owner, _dot, name = handler.fn.__qualname__.rpartition(".")
    words = [*_words(owner.removesuffix("Controller")), *name.split("_")]
    unique = [word for i, word in enumerate(words) if i == 0 or word != words[i - 1]]
    return unique[0].lower() + "".join(word.title() for word in unique[1:])


def _words(camel: str) -> list[str]:
    return re.findall(r"[A-Z][a-z0-9]*", camel)


def _signature(handler: HTTPRouteHandler) -> Iterator[str]:
    """Every argument the handler needs, through its dependencies (recursively)."""
    dependencies = handler.resolve_dependencies()
    pending, seen = list(handler.parsed_fn_signature.parameters), set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        yield name
        if name in dependencies:
            pending.extend(dependencies[name].parsed_fn_signature.parameters)


def _shape_errors(handler: HTTPRouteHandler, route: HTTPRoute) -> tuple[set[int], bool]:
    """The statuses that follow from what the handler takes, and whether it needs an identity."""
    needs = set(_signature(handler))
    parameters = needs - set(handler.resolve_dependencies()) - _RESERVED
    statuses = set()
    if parameters or "data" in needs or route.path_parameters:
        statuses.add(400)
    if "data" in needs:
        statuses.add(413)
    if route.path_parameters:
        statuses.add(404)
    authenticated = "identity" in needs
    if authenticated:
        statuses |= {401, 403}
    return statuses, authenticated


def document_operations(app: Litestar) -> None:
    """Add to each documented operation its errors and, when it needs an identity, its security.

    Litestar documents a 400 with its own exception's shape, not the answer this API sends:
    every error here is `ErrorBody`. Runs on the app's own copies of the handlers, before the
    document is first built.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            statuses, authenticated = _shape_errors(handler, route)
            declared: dict[int, Any] = dict(handler.responses or {})
            handler.responses = {**errors(*statuses), **declared}
            if authenticated:
                handler.security = SECURITY
