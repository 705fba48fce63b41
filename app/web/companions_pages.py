"""The learner's companions page: invite someone with a question drafted from the goal, read
their answers, share one with the coach, withdraw a link. Forms, no script.

A link that could not be e-mailed is shown once, on the page that answers the invitation,
as `interlude user invite` prints an account's link.
"""

from __future__ import annotations

import re
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Role
from app.domain.companions.overview import CompanionOverviewService
from app.domain.companions.schemas import (
    CompanionIn,
    CompanionOut,
    FeedbackPatch,
    InvitedOut,
)
from app.domain.companions.services import CompanionService
from app.domain.companions.suggestions import OPEN, CompanionSuggestionService
from app.lib.clock import utcnow
from app.lib.errors import AppError, Conflict
from app.lib.identity import Identity
from app.settings import Settings
from app.web.account_pages import LINK_PAGE_HEADERS
from app.web.i18n import text
from app.web.pages import PageController, Viewer, render

RELATIONS = ("peer", "colleague", "mentor", "relative", "other")
_FIELD = re.compile(r"\$\.(\w+)")
# What to fix, in the learner's words, for a field the form sent wrong.
FIELD_PROBLEMS = {
    "name": "companions.need_name",
    "email": "companions.need_email",
    "relation": "companions.need_relation",
    "question": "companions.need_question",
}


async def _page(
    service: CompanionService,
    viewer: Viewer,
    *,
    invited: InvitedOut | None = None,
    values: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
    status_code: int = 200,
    taking: UUID | None = None,
) -> Template:
    try:
        draft = await service.draft()
    except Conflict:
        draft = None  # no program yet: the page says so instead of the form
    now = utcnow()
    suggestions = await CompanionSuggestionService(service.db, service.identity).find(status=OPEN)
    # A coach's suggestion being taken up pre-fills the form; the learner picks the person.
    taken_up = next((s for s in suggestions if s.id == taking), None)
    return render(
        "learner/companions.html",
        viewer,
        current="/me/companions",
        status_code=status_code,
        draft=draft,
        companions=[CompanionOut.of(c, now) for c in await service.mine()],
        feedback=await service.feedback(),
        relations=RELATIONS,
        invited=invited,
        values=values or {},
        field_errors=field_errors or {},
        suggestions=suggestions,
        taking=taken_up,
        aggregates=await CompanionOverviewService(service.db, service.identity).aggregates(),
    )


class CompanionLearnerPages(PageController):
    path = "/me/companions"

    @get("/", name="learner-companions")
    async def companions(
        self,
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[Viewer],
        settings: NamedDependency[Settings],
        suggestion: Annotated[UUID | None, QueryParameter(name="suggestion")] = None,
    ) -> Template:
        viewer.identity.require_role(Role.LEARNER)
        service = CompanionService(db_session, viewer.identity, settings)
        return await _page(service, viewer, taking=suggestion)

    @post(
        "/", name="learner-companions-invite", status_code=200, response_headers=LINK_PAGE_HEADERS
    )
    async def invite(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        viewer: NamedDependency[Viewer],
        settings: NamedDependency[Settings],
    ) -> Template:
        identity.require_role(Role.LEARNER)
        service = CompanionService(db_session, identity, settings)
        form = await request.form()
        values = {
            name: str(form.get(name) or "").strip()[:2_000]
            for name in ("name", "email", "relation", "question")
        }
        raw: dict[str, Any] = {**values, "name_visible_to_coach": form.get("show_name") == "on"}
        taking = _uuid(form.get("suggestion_id"))
        if taking is not None:
            raw["suggestion_id"] = taking
        try:
            invited = await service.invite(msgspec.convert(raw, CompanionIn))
        except msgspec.ValidationError as error:
            found = _FIELD.search(str(error))
            field = found.group(1) if found and found.group(1) in FIELD_PROBLEMS else "name"
            problems = {field: text(FIELD_PROBLEMS[field], viewer.locale)}
            return await _page(
                service,
                viewer,
                values=values,
                field_errors=problems,
                status_code=400,
                taking=taking,
            )
        except AppError as error:  # no program yet, too many companions: the service says why
            problems = {"email" if error.field == "email" else "name": error.message}
            return await _page(
                service,
                viewer,
                values=values,
                field_errors=problems,
                status_code=400,
                taking=taking,
            )
        await db_session.commit()
        return await _page(service, viewer, invited=invited)

    @post("/{companion_id:uuid}/revoke", name="learner-companions-revoke", status_code=303)
    async def revoke(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        companion_id: FromPath[UUID],
    ) -> Redirect:
        await CompanionService(db_session, identity).revoke(companion_id)
        await db_session.commit()
        return Redirect("/me/companions", status_code=303)

    @post("/feedback/{feedback_id:uuid}/share", name="learner-companions-share", status_code=303)
    async def share(
        self,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        feedback_id: FromPath[UUID],
    ) -> Redirect:
        form = await request.form()
        shared = form.get("shared") == "true"
        await CompanionService(db_session, identity).share(
            feedback_id, FeedbackPatch(shared_with_coach=shared)
        )
        await db_session.commit()
        return Redirect("/me/companions#feedback", status_code=303)

    @post(
        "/suggestions/{suggestion_id:uuid}/dismiss",
        name="learner-companions-dismiss",
        status_code=303,
    )
    async def dismiss(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],  # checks the form's CSRF token
        suggestion_id: FromPath[UUID],
    ) -> Redirect:
        await CompanionSuggestionService(db_session, identity).dismiss(suggestion_id)
        await db_session.commit()
        return Redirect("/me/companions#coach-suggestions", status_code=303)


def _uuid(value: object) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None
