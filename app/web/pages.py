"""What every page shares: who is looking (`viewer`), rendering, and errors as pages.

A page resolves the caller through the same `identity` dependency as the API; the errors it
raises become pages here: no session sends the browser to the login page, a role that may not
see the page gets a 403 page, an id it may not see a 404 page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from litestar import Controller, Request, Response
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.exceptions import ValidationException
from litestar.response import Redirect, Template
from litestar.types import ExceptionHandlersMap
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Role
from app.domain.auth import services as auth
from app.domain.auth.accounts import AccountService
from app.domain.escalations.services import EscalationService
from app.lib import errors
from app.lib.identity import Identity
from app.lib.security import Passwords
from app.settings import Settings
from app.web.i18n import DEFAULT_LOCALE, locale_from_header, text

# Every script and style comes from /static: nothing inline, nothing from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
PAGE_HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CSP),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="Cache-Control", value="no-store"),
]
HOME_BY_ROLE = {Role.LEARNER: "/me", Role.COACH: "/coach", Role.ADMIN: "/admin"}
NAV_BY_ROLE = {
    Role.LEARNER: (
        ("/me", "nav.home"),
        ("/me/chat", "nav.chat"),
        ("/me/journal", "nav.journal"),
        ("/me/companions", "nav.companions"),
        ("/circles", "nav.circles"),
        ("/me/data", "nav.my_data"),
    ),
    Role.COACH: (
        ("/coach", "nav.learners"),
        ("/coach/sessions/new", "nav.new_session"),
        ("/coach/review", "nav.review"),
        ("/circles", "nav.circles"),
    ),
    Role.ADMIN: (
        ("/admin", "admin.nav.knowledge"),
        ("/admin/people", "admin.nav.people"),
        ("/admin/api-keys", "admin.nav.api_keys"),
        ("/admin/integrations", "admin.nav.integrations"),
        ("/admin/policy", "admin.nav.policy"),
        ("/admin/figures", "admin.nav.figures"),
        ("/circles", "nav.circles"),
    ),
}


@dataclass(frozen=True, slots=True)
class Viewer:
    identity: Identity
    name: str
    locale: str
    organization_name: str
    csrf_token: str  # empty for an API key: such a caller sends no form
    # A coach's open urgent alerts, shown on every page: an alert must not wait for the home page.
    open_alerts: int = 0
    # Their own IANA zone, "" for none (pages then show times in the browser's zone).
    time_zone: str = ""

    @property
    def nav(self) -> tuple[tuple[str, str], ...]:
        return NAV_BY_ROLE[self.identity.role]


async def provide_viewer(
    request: Request[Any, Any, Any],
    db_session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    identity: NamedDependency[Identity],
    passwords: NamedDependency[Passwords],
) -> Viewer:
    try:
        me = await AccountService(db_session, identity, passwords, settings).me()
    except errors.NotFound:
        # The API answers 404 for an account gone; a page sends its reader to the login.
        raise errors.Unauthenticated("Your account no longer exists.") from None
    csrf = ""
    token = request.cookies.get(settings.session_cookie_name)
    if identity.via == "session" and token:
        _, csrf = await auth.identity_from_session(db_session, token)
    alerts = 0
    if identity.role is Role.COACH:
        alerts = await EscalationService(db_session, identity).urgent_open()
    viewer = Viewer(
        identity=identity,
        name=me.user.display_name,
        locale=me.user.locale.value,
        organization_name=me.organization_name,
        csrf_token=csrf,
        open_alerts=alerts,
        time_zone=me.user.time_zone or "",
    )
    request.state.viewer = viewer  # an error page keeps the person's language and menu
    return viewer


def render(
    template: str,
    viewer: Viewer | None,
    *,
    locale: str = "",
    current: str = "",
    status_code: int = 200,
    **ctx: Any,
) -> Template:
    """`current`: the menu entry this page belongs to."""
    return Template(
        template_name=template,
        context={
            "viewer": viewer,
            "locale": viewer.locale if viewer else (locale or DEFAULT_LOCALE),
            "csrf": viewer.csrf_token if viewer else "",
            "time_zone": viewer.time_zone if viewer else "",
            "current": current,
            **ctx,
        },
        status_code=status_code,
    )


def safe_next(target: str | None) -> str | None:
    """A path on this site to go back to after login, never another site."""
    if not target or len(target) > 2_000 or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def login_url(next_path: str | None = None, *, expired: bool = False) -> str:
    query = []
    if next_path and safe_next(next_path):
        query.append("next=" + quote(next_path, safe="/"))
    if expired:
        query.append("expired=1")
    return "/login" + ("?" + "&".join(query) if query else "")


def _to_login(request: Request[Any, Any, Any], _: errors.Unauthenticated) -> Response[Any]:
    settings: Settings = request.app.state.settings
    had_session = settings.session_cookie_name in request.cookies
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    next_path = target if request.method == "GET" else None
    return Redirect(login_url(next_path, expired=had_session), status_code=303)


def _error_page(
    request: Request[Any, Any, Any], status: int, detail: str = "", *, explain: bool = False
) -> Response[Any]:
    """`explain`: say why in the reader's words rather than show `detail`."""
    viewer: Viewer | None = getattr(request.state, "viewer", None)
    locale = viewer.locale if viewer else locale_from_header(request.headers.get("accept-language"))
    return render(
        "error.html",
        viewer,
        locale=locale,
        status_code=status,
        status=status,
        title=text(f"error.{status}", locale),
        detail=text(f"error.{status}_why", locale) if explain else detail,
    )


def _app_error(request: Request[Any, Any, Any], exc: errors.AppError) -> Response[Any]:
    if isinstance(exc, errors.Unauthenticated):
        return _to_login(request, exc)
    if exc.status_code in (403, 404):
        return _error_page(request, exc.status_code, explain=True)
    # Anything else: the service's message says what to fix.
    return _error_page(request, 409 if exc.status_code == 409 else 400, exc.message)


def _validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _error_page(request, 400, str(exc.detail))


def _server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    errors.internal_error_handler(request, exc)  # logs it, as for the API
    return _error_page(request, 500)


PAGE_EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    errors.AppError: _app_error,
    ValidationException: _validation_error,
    Exception: _server_error,
}


class PageController(Controller):
    """Base of the page controllers: HTML errors, security headers, no OpenAPI entries."""

    include_in_schema = False
    exception_handlers = PAGE_EXCEPTION_HANDLERS
    response_headers = PAGE_HEADERS
    dependencies = {"viewer": Provide(provide_viewer)}
