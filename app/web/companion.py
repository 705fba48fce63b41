"""The page a companion's magic link opens: no account, no login, no script.

It shows the learner's first name, the goal as shared and the open questions, and a guided
form (fact, effect, suggestion) in the learner's language. A revoked or expired link answers
410 with a page that says which; an unknown one 404. The token is in the path (the access log
records route templates, never paths) and no Referer ever carries it.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.agents.runtime import AgentRuntime
from app.domain.companions.link import CompanionLink, LinkGone
from app.domain.companions.schemas import FeedbackIn
from app.domain.notifications.alerts import AlertMail
from app.lib.errors import NotFound
from app.web.account_pages import LINK_PAGE_HEADERS
from app.web.i18n import locale_from_header, text
from app.web.pages import PageController, render

MAX_CHARS = 2_000
FIELDS = ("fact", "effect", "suggestion")


def _gone(request: Request[Any, Any, Any], error: NotFound | LinkGone) -> Template:
    locale = locale_from_header(request.headers.get("accept-language"))
    if isinstance(error, LinkGone):
        why = "companion.expired" if error.code == "link_expired" else "companion.revoked"
    else:
        why = "companion.unknown"
    return render(
        "companion_gone.html",
        None,
        locale=locale,
        status_code=error.status_code,
        status=error.status_code,
        why=text(why, locale),
    )


def _problems(form: Any, locale: str) -> tuple[dict[str, str], dict[str, str]]:
    values = {name: str(form.get(name) or "")[: MAX_CHARS + 1] for name in FIELDS}
    problems = {}
    for name in FIELDS:
        if len(values[name]) > MAX_CHARS:
            problems[name] = text("companion.too_long", locale, count=MAX_CHARS)
        elif name != "suggestion" and not values[name].strip():
            problems[name] = text("companion.need_text", locale)
    return values, problems


class CompanionPages(PageController):
    """Pages for a companion: no `viewer` is asked for; the link's token is the credential."""

    @get("/c/{token:str}", name="companion-page", response_headers=LINK_PAGE_HEADERS)
    async def page(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        token: FromPath[str],
    ) -> Template:
        try:
            view = await CompanionLink(db_session, token).view()
        except (NotFound, LinkGone) as error:
            return _gone(request, error)
        return render(
            "companion.html",
            None,
            locale=view.language,
            view=view,
            token=token,
            values={},
            field_errors={},
            thanks=False,
            flagged_tier=None,
            resources=(),
        )

    @post(
        "/c/{token:str}",
        name="companion-answer",
        status_code=200,
        response_headers=LINK_PAGE_HEADERS,
    )
    async def answer(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        agents: NamedDependency[AgentRuntime],
        alert_mail: NamedDependency[AlertMail | None],
        token: FromPath[str],
    ) -> Template:
        link = CompanionLink(db_session, token)
        try:
            view = await link.view()
        except (NotFound, LinkGone) as error:
            return _gone(request, error)
        form = await request.form()
        values, problems = _problems(form, view.language)
        try:
            request_id = UUID(str(form.get("request_id") or ""))
        except ValueError:
            request_id = view.open_requests[0].id if view.open_requests else UUID(int=0)
        answered = None
        if not problems:
            data = msgspec.convert(values, FeedbackIn)
            answered = await link.answer(request_id, data, agents.guard, alert_mail)
            await db_session.commit()
            view = await link.view()
        return render(
            "companion.html",
            None,
            locale=view.language,
            status_code=400 if problems else 200,
            view=view,
            token=token,
            values=values if problems else {},
            field_errors=problems,
            thanks=answered is not None,
            flagged_tier=answered.tier if answered else None,
            resources=answered.resources if answered else (),
        )
