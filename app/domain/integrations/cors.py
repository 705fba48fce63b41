"""CORS for learner tokens, from the integrations' own lists of origins and nothing else.

Only routes open to a token scope (`open_to` in their `opt`) answer a browser of another origin:
- a preflight (OPTIONS with Access-Control-Request-Method) is accepted from an origin that some
  active integration lists for that scope (the preflight carries no token to be more precise);
  any other origin gets a 403 saying so;
- an actual request gets `Access-Control-Allow-Origin` only when its token's integration lists
  the origin (the identity dependency leaves the list in the request's state), or, for a 401,
  when some active integration lists it (so that the page can read "expired, ask again").
Never `Access-Control-Allow-Credentials`: cookies (a logged-in person's session) never work
across origins; the token is the credential. The token route itself has no CORS at all: the
integration's secret belongs on a backend (app/domain/integrations/controllers.py).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import select

from app.db.models import Integration
from app.domain.integrations.services import scope_of_route
from app.lib.errors import error_body

ALLOW_HEADERS = "authorization, content-type, idempotency-key, x-request-id"
PREFLIGHT_MAX_AGE_S = "600"


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def origin_listed(scope: Scope, origin: str, wanted: str) -> bool:
    """Whether an active integration lists `origin` for the scope `wanted`."""
    sessions = scope["app"].state.session_maker
    async with sessions() as db:
        rows = await db.execute(
            select(Integration.allowed_origins, Integration.scopes).where(
                Integration.revoked_at.is_(None)
            )
        )
        return any(origin in origins and wanted in scopes for origins, scopes in rows)


class IntegrationCorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        origin = _header(scope, b"origin")
        wanted = scope_of_route(handler.opt) if handler is not None else None
        if scope["type"] != ScopeType.HTTP or not origin or wanted is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            await self._preflight(scope, send, origin, wanted.value)
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                allowed = scope.get("state", {}).get("allowed_origins", ())
                if origin in allowed or (
                    message["status"] == 401 and await origin_listed(scope, origin, wanted.value)
                ):
                    headers = MutableScopeHeaders.from_message(message)
                    headers["Access-Control-Allow-Origin"] = origin
                    headers["Access-Control-Expose-Headers"] = "x-request-id, retry-after"
                    headers.add("Vary", "Origin")
            await send(message)

        await self.app(scope, receive, send_with_cors)

    @staticmethod
    async def _preflight(scope: Scope, send: Send, origin: str, wanted: str) -> None:
        headers: list[tuple[bytes, bytes]] = [(b"vary", b"Origin")]
        if await origin_listed(scope, origin, wanted):
            status, body = 204, b""
            headers += [
                (b"access-control-allow-origin", origin.encode("latin-1")),
                (b"access-control-allow-methods", b"GET, POST, PATCH"),
                (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
                (b"access-control-max-age", PREFLIGHT_MAX_AGE_S.encode()),
            ]
        else:
            status = 403
            message = (
                f"The origin {origin[:200]} is not allowed: an admin adds it to an integration's "
                "allowed_origins."
            )
            body = msgspec.json.encode(error_body("origin_not_allowed", message))
            headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
        start: Any = {"type": "http.response.start", "status": status, "headers": headers}
        await send(start)
        end: Any = {"type": "http.response.body", "body": body}
        await send(end)
