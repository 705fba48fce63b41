"""The administrator's pages: knowledge, people and enrollments, API keys, policy, figures.

They list what the organisation holds and leave every change to the JSON API (upload, delete,
create, revoke, patch), as the coach's pages do. What an admin may never read is not here:
conversations, answers, sessions and suggestions have no admin page and no query below; the
figures page shows counts only, for groups of at least the policy's minimum size.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import (
    ApiKey,
    Document,
    Enrollment,
    Integration,
    Organization,
    Program,
    User,
)
from app.db.models.enums import ApiScope, DocumentStatus, IntegrationScope, Language, Role
from app.domain import access
from app.domain.insights.services import InsightsService
from app.domain.knowledge.pipeline import Declared
from app.domain.organizations.schemas import Policy, version_of
from app.lib.errors import NotFound
from app.settings import Settings
from app.web.pages import PageController, Viewer, render
from knowledge.documents import DocumentKind
from knowledge.loaders import SUPPORTED

# Past these, a page says that only the first ones are shown (the API pages through them all).
DOCUMENTS_SHOWN = 500
PEOPLE_SHOWN = 1_000
KEYS_SHOWN = 500
ROLES_SHOWN = (Role.ADMIN, Role.COACH, Role.LEARNER)
# Statuses whose document the page keeps polling until it is indexed or failed.
IN_PROGRESS = (DocumentStatus.PENDING, DocumentStatus.PROCESSING)


def _admin(viewer: Viewer) -> None:
    viewer.identity.require_role(Role.ADMIN)


async def _rows(db: AsyncSession, statement: Any) -> Sequence[Any]:
    return (await db.scalars(statement)).all()


async def _people(db: AsyncSession, viewer: Viewer) -> Sequence[User]:
    return await _rows(
        db,
        select(User)
        .where(access.visible_users(viewer.identity))
        .order_by(User.display_name, User.id)
        .limit(PEOPLE_SHOWN),
    )


def _document_kind(document: Document) -> str:
    """Before indexing, what the upload declared; after, what the indexer settled on."""
    return document.kind or Declared.load(document.declared).kind or ""


class AdminPages(PageController):
    path = "/admin"

    @get("/", name="admin-knowledge")
    async def knowledge(
        self,
        db_session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        _admin(viewer)
        documents = await _rows(
            db_session,
            select(Document)
            .where(access.in_tenant(Document, viewer.identity))
            .order_by(Document.id.desc())
            .limit(DOCUMENTS_SHOWN),
        )
        return render(
            "admin/knowledge.html",
            viewer,
            current="/admin",
            documents=documents,
            kinds={d.id: _document_kind(d) for d in documents},
            truncated=len(documents) == DOCUMENTS_SHOWN,
            in_progress=IN_PROGRESS,
            document_kinds=[k.value for k in DocumentKind],
            languages=[lang.value for lang in Language],
            accept=",".join(SUPPORTED),
            max_upload_mb=max(1, round(settings.max_upload_bytes / 1_000_000)),
        )

    @get("/people", name="admin-people")
    async def people(
        self, db_session: NamedDependency[AsyncSession], viewer: NamedDependency[Viewer]
    ) -> Template:
        _admin(viewer)
        people = await _people(db_session, viewer)
        org = await db_session.get(Organization, viewer.identity.organization_id)
        enrollments = await _rows(
            db_session,
            select(Enrollment)
            .where(access.visible_enrollments(viewer.identity))
            .order_by(Enrollment.id.desc())
            .limit(PEOPLE_SHOWN),
        )
        programs = await _rows(
            db_session,
            select(Program)
            .where(access.in_tenant(Program, viewer.identity))
            .order_by(Program.name),
        )
        return render(
            "admin/people.html",
            viewer,
            current="/admin/people",
            by_role={r.value: [p for p in people if p.role is r] for r in ROLES_SHOWN},
            roles=[r.value for r in ROLES_SHOWN],
            languages=[lang.value for lang in Language],
            truncated=len(people) == PEOPLE_SHOWN,
            names={p.id: p.display_name for p in people},
            enrollments=enrollments,
            programs=programs,
            program_names={p.id: p.name for p in programs},
            organization_slug=org.slug if org else "",
        )

    @get("/api-keys", name="admin-api-keys")
    async def api_keys(
        self, db_session: NamedDependency[AsyncSession], viewer: NamedDependency[Viewer]
    ) -> Template:
        _admin(viewer)
        keys = await _rows(
            db_session,
            select(ApiKey)
            .where(access.in_tenant(ApiKey, viewer.identity))
            .order_by(ApiKey.id.desc())
            .limit(KEYS_SHOWN),
        )
        everyone = await _people(db_session, viewer)
        return render(
            "admin/api_keys.html",
            viewer,
            current="/admin/api-keys",
            keys=keys,
            truncated=len(keys) == KEYS_SHOWN,
            names={p.id: p.display_name for p in everyone},
            scopes=[s.value for s in ApiScope],
        )

    @get("/integrations", name="admin-integrations")
    async def integrations(
        self,
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[Viewer],
        settings: NamedDependency[Settings],
    ) -> Template:
        _admin(viewer)
        rows = await _rows(
            db_session,
            select(Integration)
            .where(access.in_tenant(Integration, viewer.identity))
            .order_by(Integration.id.desc())
            .limit(KEYS_SHOWN),
        )
        return render(
            "admin/integrations.html",
            viewer,
            current="/admin/integrations",
            integrations=rows,
            truncated=len(rows) == KEYS_SHOWN,
            scopes=[s.value for s in IntegrationScope],
            public_url=settings.public_url.rstrip("/"),
        )

    @get("/policy", name="admin-policy")
    async def policy(
        self,
        db_session: NamedDependency[AsyncSession],
        viewer: NamedDependency[Viewer],
        settings: NamedDependency[Settings],
    ) -> Template:
        _admin(viewer)
        org = await db_session.get(Organization, viewer.identity.organization_id)
        if org is None:
            raise NotFound("Your organisation no longer exists.")
        policy = Policy.load(org.policy)
        return render(
            "admin/policy.html",
            viewer,
            current="/admin/policy",
            organization=org,
            policy=policy,
            version=version_of(org),
            languages=[lang.value for lang in Language],
            # Unset in the policy: the server's settings apply, shown as such.
            time_zone=settings.delivery_time_zone,
            default_hour=settings.delivery_hour,
            working_days=policy.working_days or settings.delivery_weekdays,
            days_off_text="\n".join(day.isoformat() for day in policy.days_off),
        )

    @get("/figures", name="admin-figures")
    async def figures(
        self, db_session: NamedDependency[AsyncSession], viewer: NamedDependency[Viewer]
    ) -> Template:
        _admin(viewer)
        insights = await InsightsService(db_session, viewer.identity).figures()
        return render("admin/figures.html", viewer, current="/admin/figures", insights=insights)
