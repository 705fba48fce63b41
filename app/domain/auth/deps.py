"""The `identity` dependency: every protected handler asks for it by name.

An API key comes as `Authorization: Bearer <key>`; so does an integration's learner token, which
opens only the routes whose `opt` names one of its scopes (app/domain/integrations); a browser
comes with the session cookie and,
for anything that changes data, the session's CSRF token in `X-CSRF-Token` (or the
`csrf_token` form field). The organisation is taken from the identity, never from the request.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import ApiScope
from app.domain.auth import services
from app.domain.integrations.services import identity_from_token, scope_of_route
from app.domain.integrations.tokens import looks_like_token
from app.lib.clock import Clock
from app.lib.errors import Forbidden, Unauthenticated
from app.lib.identity import Identity
from app.lib.security import constant_time_equals
from app.settings import Settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "x-csrf-token"
CSRF_FORM_FIELD = "csrf_token"


async def _presented_csrf_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        value = form.get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else ""
    return ""


async def _token_identity(
    request: Request[Any, Any, Any], db_session: AsyncSession, token: str, now: datetime
) -> Identity:
    identity = await identity_from_token(db_session, token, now=now)
    scope = scope_of_route(request.route_handler.opt)
    if scope is None or scope not in identity.integration_scopes:
        raise Forbidden(
            "A learner token opens only what its integration's scopes allow "
            f"({', '.join(sorted(identity.integration_scopes)) or 'nothing'}); this request "
            "needs an API key or a login.",
            code="scope_not_allowed",
        )
    # The CORS middleware answers a browser's request only from the integration's origins.
    request.state.allowed_origins = identity.allowed_origins
    return identity


async def provide_identity(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
) -> Identity:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise Unauthenticated("Send the API key as 'Authorization: Bearer <key>'.")
        if looks_like_token(credentials.strip()):
            identity = await _token_identity(request, db_session, credentials.strip(), clock())
        else:
            identity = await services.identity_from_api_key(db_session, credentials.strip())
        needed = ApiScope.READ if request.method in SAFE_METHODS else ApiScope.WRITE
        if needed not in identity.scopes:
            raise Forbidden(f"This API key lacks the '{needed.value}' scope for this request.")
    else:
        token = request.cookies.get(settings.session_cookie_name)
        if not token:
            raise Unauthenticated("Log in, or send an API key as 'Authorization: Bearer <key>'.")
        identity, csrf_token = await services.identity_from_session(db_session, token)
        if request.method not in SAFE_METHODS:
            presented = await _presented_csrf_token(request)
            if not presented or not constant_time_equals(presented, csrf_token):
                raise Forbidden(
                    "Missing or wrong CSRF token: reload the page, or send the token from "
                    "login in the X-CSRF-Token header.",
                    code="csrf_failed",
                )
    # Read by the access log; ids only.
    request.state.user_id = str(identity.user_id)
    request.state.organization_id = str(identity.organization_id)
    return identity
