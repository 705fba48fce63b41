"""Builders for test data, and a client wrapper that speaks as one person.

Data is created through the domain services (the same code the app and the demo use), inside
one transaction, before the app under test starts.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, TypeVar
from uuid import UUID

import httpx
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.engine import run_in_transaction
from app.db.models import AgentRun, ApiKey, CoachingSession, Enrollment
from app.db.models.enums import Language, Role, SuggestionKind
from app.domain.organizations.services import create_organization
from app.domain.people.services import add_user
from app.domain.programs.schemas import ModuleIn
from app.domain.programs.services import create_program
from app.domain.suggestions.schemas import DraftItem
from app.domain.suggestions.services import create_drafts
from app.lib.clock import utcnow
from app.lib.security import Passwords, new_api_key
from app.settings import Settings

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


@dataclass
class Person:
    id: UUID
    email: str
    role: Role
    org_slug: str
    api_key: str


@dataclass
class OrgWorld:
    """One organisation: an admin, two coaches (the second without learners), two learners."""

    id: UUID
    slug: str
    canary: str
    admin: Person
    coach: Person
    idle_coach: Person
    learners: list[Person]
    program_id: UUID
    session_ids: dict[UUID, UUID] = field(default_factory=dict)  # learner id -> session id
    draft_ids: dict[UUID, list[UUID]] = field(default_factory=dict)  # learner id -> drafts

    @property
    def people(self) -> list[Person]:
        return [self.admin, self.coach, self.idle_coach, *self.learners]


def run_db(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` in one committed transaction on a throwaway engine."""
    return run_in_transaction(settings.resolved_database_url, work)


def queue_plans(settings: Settings, world: OrgWorld, count: int = 1) -> list[UUID]:
    """`count` plan runs queued for the first learner's session (one generation each)."""
    learner = world.learners[0]

    async def queue(db: AsyncSession) -> list[UUID]:
        runs = [
            AgentRun(
                organization_id=world.id,
                kind="plan",
                session_id=world.session_ids[learner.id],
                learner_id=learner.id,
                status="queued",
                generation=n,
            )
            for n in range(count)
        ]
        db.add_all(runs)
        await db.flush()
        return [run.id for run in runs]

    return run_db(settings, queue)


async def _person(
    db: AsyncSession, passwords: Passwords, org_id: UUID, slug: str, name: str, role: Role
) -> Person:
    email = f"{name}@{slug}.example"
    user = await add_user(
        db,
        passwords,
        organization_id=org_id,
        email=email,
        display_name=name.title(),
        role=role,
        locale=Language.FR,
        password=PASSWORD,
    )
    key = new_api_key()
    db.add(
        ApiKey(
            organization_id=org_id,
            user_id=user.id,
            name=f"test key {name}",
            prefix=key.prefix,
            secret_hash=key.secret_hash,
            scopes=["read", "write"],
        )
    )
    return Person(user.id, email, role, slug, key.secret)


def draft_items(canary: str, count: int = 4) -> list[DraftItem]:
    kinds = list(SuggestionKind)
    return [
        DraftItem(
            kind=kinds[i % len(kinds)],
            text=f"Draft {i} {canary}: what would change for your team?",
            rationale=f"rationale {canary}",
            citations=[{"chunk_id": f"chunk-{canary}-{i}", "title": canary}],
            skill="feedback",
        )
        for i in range(count)
    ]


async def build_org(db: AsyncSession, passwords: Passwords, slug: str) -> OrgWorld:
    canary = f"CANARY-{slug.upper()}"
    org = await create_organization(
        db, slug=slug, name=f"Org {canary}", default_language=Language.FR
    )

    async def person(name: str, role: Role) -> Person:
        return await _person(db, passwords, org.id, slug, name, role)

    admin = await person("admin", Role.ADMIN)
    coach = await person("coach", Role.COACH)
    idle_coach = await person("idle-coach", Role.COACH)
    learners = [await person("learner1", Role.LEARNER), await person("learner2", Role.LEARNER)]
    program, _ = await create_program(
        db,
        organization_id=org.id,
        name=f"Program {canary}",
        language=Language.FR,
        description=canary,
        modules=[ModuleIn(title=f"Feedback {canary}", skill="feedback")],
    )
    world = OrgWorld(org.id, slug, canary, admin, coach, idle_coach, learners, program.id)
    for learner in learners:
        enrollment = Enrollment(
            organization_id=org.id,
            learner_id=learner.id,
            coach_id=coach.id,
            program_id=program.id,
            goal=f"goal {canary}",
        )
        db.add(enrollment)
        await db.flush()
        session = CoachingSession(
            organization_id=org.id,
            enrollment_id=enrollment.id,
            coach_id=coach.id,
            learner_id=learner.id,
            held_at=utcnow() - timedelta(days=1),
            notes=f"notes {canary}",
            focus_skills=["feedback"],
            agreed_actions=[f"action {canary}"],
        )
        db.add(session)
        await db.flush()
        drafts = await create_drafts(db, session=session, items=draft_items(canary))
        world.session_ids[learner.id] = session.id
        world.draft_ids[learner.id] = [d.id for d in drafts]
    return world


def build_worlds(settings: Settings, *slugs: str) -> list[OrgWorld]:
    passwords = Passwords.from_settings(settings)

    async def work(db: AsyncSession) -> list[OrgWorld]:
        return [await build_org(db, passwords, slug) for slug in slugs]

    return run_db(settings, work)


class As:
    """Requests made as one identity (API key or browser session) through the test client."""

    def __init__(self, client: TestClient[Any], headers: dict[str, str], label: str) -> None:
        self.client = client
        self.headers = headers
        self.label = label

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json={} if json is None else json, **kwargs)

    def patch(self, path: str, json: Any, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)


def with_key(client: TestClient[Any], person: Person) -> As:
    return As(client, {"Authorization": f"Bearer {person.api_key}"}, f"{person.email} (key)")


def with_session(client: TestClient[Any], person: Person, password: str = PASSWORD) -> As:
    response = client.post(
        "/api/v1/auth/login",
        json={"organization": person.org_slug, "email": person.email, "password": password},
    )
    assert response.status_code == 201, response.text
    token = response.cookies["interlude_session"]
    client.cookies.clear()  # each `As` carries its own cookie; the shared jar must stay empty
    headers = {
        "Cookie": f"interlude_session={token}",
        "X-CSRF-Token": response.json()["csrf_token"],
    }
    return As(client, headers, f"{person.email} (session)")


def add_learners(settings: Settings, world: OrgWorld, count: int) -> list[Person]:
    """`count` more learners in the world's organisation, enrolled in its program under its
    coach (a peer circle needs four or more)."""
    passwords = Passwords.from_settings(settings)
    start = len(world.learners) + 1

    async def work(db: AsyncSession) -> list[Person]:
        added = []
        for n in range(start, start + count):
            person = await _person(db, passwords, world.id, world.slug, f"learner{n}", Role.LEARNER)
            db.add(
                Enrollment(
                    organization_id=world.id,
                    learner_id=person.id,
                    coach_id=world.coach.id,
                    program_id=world.program_id,
                    goal=f"goal {world.canary}",
                )
            )
            added.append(person)
        return added

    people = run_db(settings, work)
    world.learners.extend(people)
    return people
