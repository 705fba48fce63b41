"""Integrations: admins manage them; an integration's backend trades its secret for learner
tokens (`POST /api/v1/integrations/token`). Rules and tenancy: services.py."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.integrations.schemas import (
    IntegrationCreated,
    IntegrationIn,
    IntegrationOut,
    TokenIn,
    TokenOut,
)
from app.domain.integrations.services import (
    IntegrationService,
    integration_from_secret,
    mint_token,
)
from app.lib.clock import Clock
from app.lib.errors import Forbidden, NotFound, Unauthenticated
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.pagination import PageParams
from app.lib.schema import Page
from app.settings import Settings

MINTING = """For the integrator's backend, never a browser: send the integration's secret as
`Authorization: Bearer <secret>` and name one learner of your organisation (`learner_id` or
`email`). A request with an `Origin` header (a browser's) is refused. The token acts for that
learner on the endpoints the integration's scopes allow (`chat:learner`:
`/api/v1/conversations...` and `/v1/chat/completions`; `review:read`: `GET /api/v1/feed...`)
until `expires_at`, minutes from now; ask for another then. Tokens of a revoked integration are
refused at once."""


class IntegrationController(Controller):
    path = "/api/v1/integrations"
    tags = ["integrations"]

    @get("/", summary="The organisation's integrations (admins)")
    async def list_integrations(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
    ) -> Page[IntegrationOut]:
        """Each integration with its origins, scopes and when it was last used; never its
        secret."""
        items, cursor = await IntegrationService(db_session, identity).list(page)
        return Page(items=[IntegrationOut.of(i) for i in items], next_cursor=cursor)

    @post("/", summary="Create an integration; its secret is shown once")
    async def create(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        data: JSONBody[IntegrationIn],
    ) -> IntegrationCreated:
        """The secret in this answer buys learner tokens (`POST /api/v1/integrations/token`): keep
        it on your backend, it is never shown again. `allowed_origins` are the pages that may
        embed the widget and call the chat from a browser."""
        integration, secret = await IntegrationService(db_session, identity).create(data)
        return IntegrationCreated(integration=IntegrationOut.of(integration), secret=secret)

    @get("/{integration_id:uuid}", summary="One integration (admins)")
    async def get_one(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        integration_id: FromPath[UUID],
    ) -> IntegrationOut:
        """One integration of the organisation, without its secret."""
        return IntegrationOut.of(await IntegrationService(db_session, identity).get(integration_id))

    @delete("/{integration_id:uuid}", summary="Revoke an integration and all its tokens")
    async def revoke(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        integration_id: FromPath[UUID],
    ) -> None:
        """Its secret and every learner token it was given are refused from now on (401); the
        audit log keeps who revoked it."""
        await IntegrationService(db_session, identity).revoke(integration_id)

    @post(
        "/token",
        status_code=200,
        summary="A short-lived token acting for one learner (the integration's secret)",
        description=MINTING,
        responses=errors(Unauthenticated, Forbidden, NotFound),
        security=[{"integrationSecret": []}],
    )
    async def token(
        self,
        request: Request[Any, Any, State],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        clock: NamedDependency[Clock],
        data: JSONBody[TokenIn],
    ) -> TokenOut:
        if request.headers.get("origin"):
            # Browsers send Origin; backends do not. A secret in a page would let anyone who
            # reads the page act as every learner: refused, and no CORS for this route either.
            raise Forbidden(
                "Ask for learner tokens from your backend, never from a browser: the "
                "integration's secret must not reach a page. Pass the token to the page instead.",
                code="secret_in_browser",
            )
        scheme, _, secret = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated(
                "Send the integration's secret as 'Authorization: Bearer <secret>'."
            )
        integration = await integration_from_secret(db_session, secret.strip())
        return await mint_token(
            db_session,
            integration,
            data,
            ttl_s=settings.integration_token_ttl_s,
            now=clock(),
        )
