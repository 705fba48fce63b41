"""The administrator's pages: knowledge, people and enrollments, API keys, policy, figures.

They list what the organisation holds and leave every change to the JSON API (upload, delete,
create, revoke, patch), as the coach's pages do, and read through the same services as the API
(newest first here, the first page only). What an admin may never read is not here:
conversations, answers, sessions and suggestions have no admin page; the figures page shows
counts only, for groups of at least the policy's minimum size.
"""

from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Document
from app.db.models.enums import ApiScope, DocumentStatus, IntegrationScope, Language, Role
from app.domain.api_keys.services import ApiKeyService
from app.domain.insights.services import InsightsService
from app.domain.integrations.services import IntegrationService
from app.domain.knowledge.pipeline import Declared
from app.domain.knowledge.services import KnowledgeService
from app.domain.organizations.schemas import Policy, version_of
from app.domain.organizations.services import OrganizationService
from app.domain.people.services import PeopleService
from app.domain.programs.services import ProgramService
from app.lib.pagination import PageParams
from app.lib.security import Passwords
from app.settings import Settings
from app.web.pages import PageController, Viewer, render
from knowledge.documents import DocumentKind
from knowledge.loaders import SUPPORTED
from knowledge.store import KnowledgeStore

# Past these, a page says that only the first ones are shown (the API pages through them all).
DOCUMENTS_SHOWN = 500
PEOPLE_SHOWN = 1_000
KEYS_SHOWN = 500
ROLES_SHOWN = (Role.ADMIN, Role.COACH, Role.LEARNER)
# Statuses whose document the page keeps polling until it is indexed or failed.
IN_PROGRESS = (DocumentStatus.PENDING, DocumentStatus.PROCESSING)


def _admin(viewer: Viewer) -> None:
    viewer.identity.require_role(Role.ADMIN)


def _document_kind(document: Document) -> str:
    """Before indexing, what the upload declared; after, what the indexer settled on."""
    return document.kind or Declared.load(document.declared).kind or ""


class AdminPages(PageController):
    path = "/admin"

    @get("/", name="admin-knowledge")
    async def knowledge(
        self,
        db_session: NamedDependency[AsyncSession],
        knowledge: NamedDependency[KnowledgeStore],
        settings: NamedDependency[Settings],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        _admin(viewer)
        service = KnowledgeService(db_session, viewer.identity, settings, knowledge)
        documents, _ = await service.documents(
            PageParams(DOCUMENTS_SHOWN, None), None, newest_first=True
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
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        _admin(viewer)
        directory = PeopleService(db_session, viewer.identity, passwords)
        people = await directory.directory(PEOPLE_SHOWN)
        org = await OrganizationService(db_session, viewer.identity).mine()
        enrollments, _ = await directory.list_enrollments(
            PageParams(PEOPLE_SHOWN, None), newest_first=True
        )
        programs = await ProgramService(db_session, viewer.identity).by_name()
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
            organization_slug=org.slug,
        )

    @get("/api-keys", name="admin-api-keys")
    async def api_keys(
        self,
        db_session: NamedDependency[AsyncSession],
        passwords: NamedDependency[Passwords],
        viewer: NamedDependency[Viewer],
    ) -> Template:
        _admin(viewer)
        # An admin's view of the keys is the whole organisation's (`access.visible_api_keys`).
        service = ApiKeyService(db_session, viewer.identity)
        keys, _ = await service.list(PageParams(KEYS_SHOWN, None), newest_first=True)
        people = PeopleService(db_session, viewer.identity, passwords)
        everyone = await people.directory(PEOPLE_SHOWN)
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
        service = IntegrationService(db_session, viewer.identity)
        rows, _ = await service.list(PageParams(KEYS_SHOWN, None), newest_first=True)
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
        org = await OrganizationService(db_session, viewer.identity).mine()
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
