"""One's own account: "forgot your password?", the page a password link opens, and `/account`
(name, language, time zone, password, calendar feed).

Like the login form, these post forms (no script needed), and their errors come back beside
the field, in the reader's language. The password link's token travels in the URL's fragment
(never sent to a server); `password.js` copies it into the form.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Language
from app.domain.auth import links
from app.domain.auth import services as auth
from app.domain.auth.accounts import AccountService
from app.domain.auth.controllers import provide_accounts
from app.domain.calendar.controllers import provide_calendar
from app.domain.calendar.services import FEED_ROLES, CalendarService
from app.domain.notifications.services import EmailPreferences
from app.lib.errors import AppError
from app.lib.identity import Identity
from app.lib.security import Passwords
from app.lib.time_zones import COMMON_TIME_ZONES, is_time_zone
from app.settings import Settings
from app.web.i18n import locale_from_header, text
from app.web.pages import PAGE_HEADERS, PageController, Viewer, render

MAX_FIELD_CHARS = 1_000
SAVED_NOTICES = ("profile", "password", "calendar_revoked")
MIN_PASSWORD_CHARS = 10  # as the API's NewPassword
# The link page holds a token in its URL: no Referer may carry the URL anywhere.
LINK_PAGE_HEADERS = [
    *(h for h in PAGE_HEADERS if h.name != "Referrer-Policy"),
    ResponseHeader(name="Referrer-Policy", value="no-referrer"),
]


def _field(form: Any, name: str, *, strip: bool = True) -> str:
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return (value.strip() if strip else value)[:MAX_FIELD_CHARS]


def _new_password_problems(password: str, confirm: str, locale: str) -> dict[str, str]:
    if len(password) < MIN_PASSWORD_CHARS:
        return {"password": text("account.password_short", locale, count=MIN_PASSWORD_CHARS)}
    if password != confirm:
        return {"confirm": text("account.password_mismatch", locale)}
    return {}


def _reader_locale(request: Request[Any, Any, Any]) -> str:
    return locale_from_header(request.headers.get("accept-language"))


class PasswordLinkPages(PageController):
    """Pages for people who cannot log in: no `viewer` is asked for."""

    @get("/password/forgot", name="password-forgot")
    async def forgot_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(
            "password_forgot.html",
            None,
            locale=_reader_locale(request),
            organization=request.query_params.get("organization", "")[:100],
            sent="",
            field_errors={},
        )

    @post("/password/forgot", name="password-forgot-submit", status_code=200)
    async def forgot_submit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Template:
        form = await request.form()
        locale = _reader_locale(request)
        organization, email = _field(form, "organization").lower(), _field(form, "email")
        problems = {}
        if not organization:
            problems["organization"] = text("login.need_organization", locale)
        if "@" not in email:
            problems["email"] = text("login.need_email", locale)
        if not problems:
            await links.reset_requested(
                db_session, settings, organization, auth.lookup_email(email)
            )
            await db_session.commit()
        sent = (
            ""
            if problems
            else text("password.sent" if settings.sends_mail else "password.no_mail", locale)
        )
        return render(
            "password_forgot.html",
            None,
            locale=locale,
            status_code=400 if problems else 200,
            organization=organization,
            sent=sent,
            field_errors=problems,
        )

    @get("/password/new", name="password-new", response_headers=LINK_PAGE_HEADERS)
    async def new_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(
            "password_new.html",
            None,
            locale=_reader_locale(request),
            token="",
            error="",
            field_errors={},
        )

    @post(
        "/password/new",
        name="password-new-submit",
        status_code=303,
        response_headers=LINK_PAGE_HEADERS,
    )
    async def new_submit(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
    ) -> Response[Any]:
        form = await request.form()
        locale = _reader_locale(request)
        token = _field(form, "token")
        password = _field(form, "password", strip=False)
        problems = _new_password_problems(password, _field(form, "confirm", strip=False), locale)
        error = "" if token else text("password.bad_link", locale)
        if not problems and not error:
            try:
                await links.set_password(db_session, passwords, token, password)
            except AppError:
                error = text("password.bad_link", locale)
            else:
                await db_session.commit()  # a redirect is not committed by the handler
                return Redirect("/login?password_set=1", status_code=303)
        return render(
            "password_new.html",
            None,
            locale=locale,
            status_code=400,
            # A typo in the new password: the form keeps the link's token, the person retypes.
            token="" if error else token,
            error=error,
            field_errors=problems,
        )


class UnsubscribePages(PageController):
    """The link at the bottom of "something new from your coach" e-mails: one click on the
    page's button stops them (a GET changes nothing: mail scanners open links)."""

    @get("/unsubscribe", name="unsubscribe")
    async def unsubscribe_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(
            "unsubscribe.html",
            None,
            locale=_reader_locale(request),
            token=request.query_params.get("token", "")[:200],
            done=False,
            known=True,
        )

    @post("/unsubscribe", name="unsubscribe-submit", status_code=200)
    async def unsubscribe(
        self, request: Request[Any, Any, Any], db_session: NamedDependency[AsyncSession]
    ) -> Template:
        form = await request.form()
        token = _field(form, "token")
        user = await EmailPreferences(db_session).unsubscribe(token)
        if user is not None:
            await db_session.commit()
        return render(
            "unsubscribe.html",
            None,
            locale=user.locale.value if user else _reader_locale(request),
            status_code=200 if user else 400,
            token=token,
            done=user is not None,
            known=user is not None,
        )


class AccountPages(PageController):
    dependencies = {
        **PageController.dependencies,
        "accounts": Provide(provide_accounts, sync_to_thread=False),
        "calendar": Provide(provide_calendar, sync_to_thread=False),
    }

    @get("/account", name="account")
    async def account_page(
        self,
        request: Request[Any, Any, Any],
        viewer: NamedDependency[Viewer],
        accounts: NamedDependency[AccountService],
        settings: NamedDependency[Settings],
    ) -> Template:
        saved = request.query_params.get("saved", "")[:30]
        return await _account(accounts, viewer, settings, saved=saved)

    @post("/account/profile", name="account-profile", status_code=303)
    async def save_profile(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        accounts: NamedDependency[AccountService],
        viewer: NamedDependency[Viewer],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        form = await request.form()
        name, language = _field(form, "display_name"), _field(form, "locale")
        time_zone = _field(form, "time_zone")
        item_emails = _field(form, "item_emails") == "on"
        problems = {}
        if not name or len(name) > 200:
            problems["display_name"] = text("account.need_name", viewer.locale)
        if language not in {lang.value for lang in Language}:
            problems["locale"] = text("account.need_language", viewer.locale)
        if time_zone and not is_time_zone(time_zone):
            problems["time_zone"] = text("account.need_time_zone", viewer.locale)
        if problems:
            return await _account(
                accounts, viewer, settings, field_errors=problems, status_code=400
            )
        await accounts.save_profile(
            display_name=name,
            locale=Language(language),
            time_zone=time_zone,
            item_emails=item_emails,
        )
        await db_session.commit()
        return Redirect("/account?saved=profile", status_code=303)

    @post("/account/password", name="account-password", status_code=303)
    async def change_password(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        accounts: NamedDependency[AccountService],
        viewer: NamedDependency[Viewer],
        passwords: NamedDependency[Passwords],
        settings: NamedDependency[Settings],
    ) -> Response[Any]:
        form = await request.form()
        user = await accounts.own()
        password = _field(form, "password", strip=False)
        locale = viewer.locale
        problems = _new_password_problems(password, _field(form, "confirm", strip=False), locale)
        try:
            current = _field(form, "current_password", strip=False)
            await auth.check_current_password(passwords, user, current or None)
        except AppError:  # missing (400) or wrong (403)
            problems["current_password"] = text("account.current_wrong", locale)
        if problems:
            return await _account(
                accounts, viewer, settings, field_errors=problems, status_code=400
            )
        keep = request.cookies.get(settings.session_cookie_name)
        await auth.set_own_password(db_session, passwords, user, password, keep)
        await db_session.commit()
        return Redirect("/account?saved=password", status_code=303)

    @post("/account/calendar", name="account-calendar", status_code=200)
    async def make_calendar(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        accounts: NamedDependency[AccountService],
        calendar: NamedDependency[CalendarService],
        viewer: NamedDependency[Viewer],
        settings: NamedDependency[Settings],
    ) -> Template:
        """The new URL is shown in this answer only (not through a redirect: it would sit in
        the browser's history)."""
        feed = await calendar.create()
        await db_session.commit()
        return await _account(accounts, viewer, settings, calendar_url=feed.url)

    @post("/account/calendar/revoke", name="account-calendar-revoke", status_code=303)
    async def revoke_calendar(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        calendar: NamedDependency[CalendarService],
    ) -> Response[Any]:
        await calendar.revoke()
        await db_session.commit()
        return Redirect("/account?saved=calendar_revoked", status_code=303)


async def _account(
    accounts: AccountService,
    viewer: Viewer,
    settings: Settings,
    *,
    saved: str = "",
    field_errors: dict[str, str] | None = None,
    status_code: int = 200,
    calendar_url: str = "",
) -> Template:
    user = await accounts.own()
    zones = list(COMMON_TIME_ZONES)
    if user.time_zone and user.time_zone not in zones:
        zones.insert(0, user.time_zone)
    return render(
        "account.html",
        viewer,
        current="/account",
        status_code=status_code,
        user=user,
        saved=saved if saved in SAVED_NOTICES else "",
        field_errors=field_errors or {},
        time_zones=zones,
        default_time_zone=settings.delivery_time_zone,
        delivery_hour=settings.delivery_hour,
        has_calendar=user.role in FEED_ROLES,
        calendar_active=user.calendar_token_hash is not None,
        calendar_url=calendar_url,
    )
