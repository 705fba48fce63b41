"""Login, logout, and `/`, which sends each person to the home of their role.

The login form posts here (a page, not `fetch`), so it works before any script loads. A
cross-site form could otherwise log a browser into someone else's account: the form carries a
token that must match a short-lived cookie set with the form (double submit).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.exceptions import TooManyRequestsException
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.auth import services as auth
from app.lib.errors import Unauthenticated
from app.lib.identity import Identity
from app.lib.security import Passwords, constant_time_equals, new_token
from app.lib.throttle import AccountThrottle
from app.settings import Settings
from app.web.i18n import locale_from_header, text
from app.web.pages import HOME_BY_ROLE, PageController, render, safe_next

LOGIN_TOKEN_COOKIE = "interlude_login"  # noqa: S105 - a cookie's name, not a secret
LOGIN_TOKEN_FIELD = "login_token"  # noqa: S105 - a form field's name
MAX_FIELD_CHARS = 1_000


def _login_form(
    request: Request[Any, Any, Any],
    settings: Settings,
    *,
    status_code: int = 200,
    error: str = "",
    field_errors: dict[str, str] | None = None,
    organization: str = "",
    email: str = "",
    next_path: str | None = None,
) -> Template:
    locale = locale_from_header(request.headers.get("accept-language"))
    token = new_token()
    response = render(
        "login.html",
        None,
        locale=locale,
        status_code=status_code,
        login_token=token,
        # After a failed attempt the form posts again where the person was going.
        next=safe_next(next_path or request.query_params.get("next")) or "",
        expired=request.query_params.get("expired") == "1",
        erased=request.query_params.get("erased") == "1",
        password_set=request.query_params.get("password_set") == "1",
        error=error,
        field_errors=field_errors or {},
        organization=organization or request.query_params.get("organization", ""),
        email=email,
    )
    response.set_cookie(
        Cookie(
            key=LOGIN_TOKEN_COOKIE,
            value=token,
            max_age=3_600,
            httponly=True,
            secure=settings.secure_cookies,
            samesite="strict",
            path="/login",
        )
    )
    return response


def _session_cookie(settings: Settings, token: str, ttl: timedelta) -> Cookie:
    # The same cookie as POST /api/v1/auth/login sets.
    return Cookie(
        key=settings.session_cookie_name,
        value=token,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )


def _field_errors(organization: str, email: str, password: str, locale: str) -> dict[str, str]:
    problems = {}
    if not organization:
        problems["organization"] = text("login.need_organization", locale)
    if "@" not in email:
        problems["email"] = text("login.need_email", locale)
    if not password:
        problems["password"] = text("login.need_password", locale)
    return problems


class AuthPages(PageController):
    # Login is the one page without an identity: the `viewer` dependency is not asked for.

    @get("/login", name="login-page")
    async def login_page(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Settings]
    ) -> Template:
        return _login_form(request, settings)

    @post("/login", name="login-submit", status_code=303)
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        settings: NamedDependency[Settings],
        login_throttle: NamedDependency[AccountThrottle],
    ) -> Response[Any]:
        form = await request.form()

        def field(name: str) -> str:
            value = form.get(name)
            return value.strip()[:MAX_FIELD_CHARS] if isinstance(value, str) else ""

        organization, email = field("organization").lower(), field("email")
        password = form.get("password")
        password = password[:MAX_FIELD_CHARS] if isinstance(password, str) else ""
        locale = locale_from_header(request.headers.get("accept-language"))
        expected = request.cookies.get(LOGIN_TOKEN_COOKIE, "")
        if not expected or not constant_time_equals(expected, field(LOGIN_TOKEN_FIELD)):
            error = text("login.form_expired", locale)
            return _login_form(
                request,
                settings,
                status_code=400,
                error=error,
                organization=organization,
                email=email,
                next_path=field("next"),
            )
        problems = _field_errors(organization, email, password, locale)
        if problems:
            error = text("login.fix_fields", locale)
            return _login_form(
                request,
                settings,
                status_code=400,
                error=error,
                field_errors=problems,
                organization=organization,
                email=email,
                next_path=field("next"),
            )
        ttl = timedelta(hours=settings.session_ttl_hours)
        try:
            started = await auth.login(
                db_session,
                passwords,
                organization_slug=organization,
                email=email,
                password=password,
                ttl=ttl,
                throttle=login_throttle,
            )
        except TooManyRequestsException as refused:
            page = _login_form(
                request,
                settings,
                status_code=429,
                error=text("login.too_many", locale),
                organization=organization,
                email=email,
                next_path=field("next"),
            )
            page.headers["Retry-After"] = (refused.headers or {}).get("Retry-After", "60")
            return page
        except Unauthenticated:
            error = text("login.bad_credentials", locale)
            return _login_form(
                request,
                settings,
                status_code=401,
                error=error,
                organization=organization,
                email=email,
                next_path=field("next"),
            )
        # Redirects are not committed by the autocommit handler (2xx only): commit here.
        await db_session.commit()
        target = safe_next(field("next")) or HOME_BY_ROLE[started.identity.role]
        response = Redirect(target, status_code=303)
        response.set_cookie(_session_cookie(settings, started.token, ttl))
        response.delete_cookie(LOGIN_TOKEN_COOKIE, path="/login")
        return response

    @post("/logout", name="logout", status_code=303)
    async def logout(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
    ) -> Response[Any]:
        token = request.cookies.get(settings.session_cookie_name)
        if token and identity.via == "session":
            await auth.logout(db_session, token)
            await db_session.commit()
        response = Redirect("/login", status_code=303)
        response.delete_cookie(settings.session_cookie_name, path="/")
        return response

    @get("/", name="home")
    async def home(self, identity: NamedDependency[Identity]) -> Redirect:
        return Redirect(HOME_BY_ROLE[identity.role], status_code=303)
