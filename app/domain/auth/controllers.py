from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.auth import links, services
from app.domain.auth.accounts import AccountService
from app.domain.auth.schemas import (
    LoginIn,
    LoginOut,
    MeOut,
    ResetRequestIn,
    ResetRequestOut,
    SetPasswordIn,
)
from app.domain.people.schemas import MePatch
from app.lib.errors import NotFound, Unauthenticated
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.security import Passwords
from app.lib.throttle import AccountThrottle
from app.settings import Settings


def provide_accounts(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    passwords: NamedDependency[Passwords],
    settings: NamedDependency[Settings],
) -> AccountService:
    return AccountService(db_session, identity, passwords, settings)


class AuthController(Controller):
    path = "/api/v1"
    tags = ["auth"]
    dependencies = {"accounts": Provide(provide_accounts, sync_to_thread=False)}

    @post(
        "/auth/login",
        summary="Log in with email and password; sets the session cookie",
        responses=errors(Unauthenticated, 429),
    )
    async def login(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        settings: NamedDependency[Settings],
        login_throttle: NamedDependency[AccountThrottle],
        data: JSONBody[LoginIn],
    ) -> Response[LoginOut]:
        """Checks the email and password within the named organisation and sets the session cookie
        the pages use; API clients use an API key instead. A wrong pair answers 401; too many
        attempts, from one address or on one account, answer 429 with Retry-After."""
        ttl = timedelta(hours=settings.session_ttl_hours)
        started = await services.login(
            db_session,
            passwords,
            organization_slug=data.organization,
            email=data.email,
            password=data.password,
            ttl=ttl,
            throttle=login_throttle,
        )
        cookie = Cookie(
            key=settings.session_cookie_name,
            value=started.token,
            max_age=int(ttl.total_seconds()),
            httponly=True,
            secure=settings.secure_cookies,
            samesite="lax",
            path="/",
        )
        me = await AccountService(db_session, started.identity, passwords, settings).me()
        body = LoginOut(me=me, csrf_token=started.csrf_token)
        return Response(body, cookies=[cookie])

    @post(
        "/auth/password-reset",
        status_code=202,
        summary="Forgot my password: e-mail me a link to set a new one",
        description="Answers the same whether or not the address has an account.",
        responses=errors(429),
    )
    async def request_reset(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        data: JSONBody[ResetRequestIn],
    ) -> ResetRequestOut:
        """E-mails a link to set a new password when the address has an account in that
        organisation; the answer does not say whether it has. Rate-limited per client address
        like the login."""
        email = services.lookup_email(data.email)
        await links.reset_requested(db_session, settings, data.organization, email)
        return ResetRequestOut(detail=services.reset_answer(settings))

    @post(
        "/auth/password",
        status_code=204,
        summary="Set my password with the token of an invitation or reset link",
        description="The link works once; every session of the account ends.",
    )
    async def set_password(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        data: JSONBody[SetPasswordIn],
    ) -> None:
        """Sets the password with the token from an invitation or reset e-mail; a token works once
        and expires. Needs no identity: the token is the proof."""
        await links.set_password(db_session, passwords, data.token, data.password)

    @post("/auth/logout", status_code=204, summary="End this web session")
    async def logout(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        identity: NamedDependency[Identity],
    ) -> Response[None]:
        """Ends the caller's web session and clears its cookie. With an API key there is no session:
        revoke the key instead."""
        token = request.cookies.get(settings.session_cookie_name)
        if token and identity.via == "session":
            await services.logout(db_session, token)
        response: Response[None] = Response(None, status_code=204)
        response.delete_cookie(settings.session_cookie_name, path="/")
        return response

    @get("/me", summary="Who I am", responses=errors(NotFound))
    async def me(self, accounts: NamedDependency[AccountService]) -> MeOut:
        """The caller's identity, whether they came by session or API key."""
        return await accounts.me()

    @patch(
        "/me",
        summary="Change my name, language, time zone or password (with the current one)",
        description=(
            "`time_zone`: an IANA name (America/New_York) for the days items are proposed and "
            "the times pages show; an empty string goes back to the organisation's default."
        ),
    )
    async def update_me(
        self,
        request: Request[Any, Any, Any],
        accounts: NamedDependency[AccountService],
        settings: NamedDependency[Settings],
        data: JSONBody[MePatch],
    ) -> MeOut:
        """A new password needs the current one, and ends every other session of mine (a
        stolen one included)."""
        return await accounts.update_me(data, request.cookies.get(settings.session_cookie_name))
