"""`interlude demo`: a ready-to-use demo organisation, created once, idempotently.

It is built from the French sample pack (knowledge/packs/horizon-fr): the organisation, its
program and question bank, its documents indexed for retrieval, two learners and a logged
session whose plan job is queued: `interlude serve` drafts it, so the coach finds drafts to
review and the learner an empty feed until the coach approves some.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession, Enrollment, Integration, QuestionBankEntry, User
from app.db.models.enums import IntegrationScope, Language, QuestionScale, Role
from app.domain.integrations.schemas import IntegrationIn
from app.domain.integrations.services import IntegrationService
from app.domain.knowledge import pipeline
from app.domain.organizations.schemas import EscalationResource, Policy
from app.domain.organizations.services import create_organization, get_by_slug
from app.domain.people.services import add_user
from app.domain.plans.services import enqueue_plan
from app.domain.programs.schemas import ModuleIn
from app.domain.programs.services import create_program
from app.lib.clock import utcnow
from app.lib.identity import Identity
from app.lib.security import Passwords
from app.settings import Settings
from app.widget_demo import DEMO_HOST_PORT, DemoWidget
from knowledge.packs import PACKS_DIR, read_pack
from knowledge.store import KnowledgeStore

DEMO_SLUG = "demo"
DEMO_PACK = "horizon-fr"
DEMO_PEOPLE = (
    ("admin@horizon.example", "Nadia Admin", Role.ADMIN),
    ("coach@horizon.example", "Camille Coach", Role.COACH),
    ("lea@horizon.example", "Léa Martin", Role.LEARNER),
    ("sam@horizon.example", "Sam Okafor", Role.LEARNER),
)


# The safety guard's answers name these, so the demo never shows an empty safety answer. The
# national numbers are real (France); the company's own contacts are the demo's.
DEMO_POLICY = Policy(
    escalation_resources=[
        EscalationResource(
            label="3114, prévention du suicide, 24 h/24 / suicide prevention line (France)",
            contact="3114",
        ),
        EscalationResource(label="Urgences / Emergency services", contact="112"),
    ],
    support_resources=[
        EscalationResource(
            label="Écoute psychologique Horizon, anonyme / confidential listening line",
            contact="0 800 00 00 00 (démo / demo)",
        ),
        EscalationResource(
            label="Référente harcèlement / Harassment contact person",
            contact="referente@horizon.example",
        ),
        EscalationResource(
            label="Médecine du travail / Occupational health", contact="sante@horizon.example"
        ),
    ],
    out_of_scope_resources=[
        EscalationResource(
            label="Médecine du travail / Occupational health", contact="sante@horizon.example"
        ),
        EscalationResource(label="Service RH / HR team", contact="rh@horizon.example"),
        EscalationResource(
            label="Représentants du personnel (CSE) / Staff representatives",
            contact="cse@horizon.example",
        ),
    ],
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: Role
    name: str


async def seed_demo(
    db: AsyncSession,
    passwords: Passwords,
    knowledge: KnowledgeStore,
    settings: Settings,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[bool, list[DemoLogin]]:
    """Create the demo organisation if absent. Returns (created, logins)."""
    logins = [DemoLogin(email=email, role=role, name=name) for email, name, role in DEMO_PEOPLE]
    if await get_by_slug(db, DEMO_SLUG) is not None:
        return False, logins
    pack = read_pack(PACKS_DIR / DEMO_PACK)
    org = await create_organization(
        db, slug=DEMO_SLUG, name=pack.name, default_language=Language(pack.default_language)
    )
    org.policy = DEMO_POLICY.dump()
    users: dict[str, User] = {}
    for email, name, role in DEMO_PEOPLE:
        users[email] = await add_user(
            db,
            passwords,
            organization_id=org.id,
            email=email,
            display_name=name,
            role=role,
            locale=Language.FR,
            password=settings.demo_password.get_secret_value(),
        )
    program, _ = await create_program(
        db,
        organization_id=org.id,
        name=pack.program_name,
        language=Language.FR,
        description=pack.program_description,
        modules=[
            ModuleIn(title=m.title, skill=m.skill, reflection_prompts=m.reflection_prompts)
            for m in pack.modules
        ],
    )
    admin = users["admin@horizon.example"]
    db.add_all(
        QuestionBankEntry(
            organization_id=org.id,
            skill=q.skill,
            scale=QuestionScale(q.scale),
            language=Language.FR,
            text=q.text,
            approved_by_id=admin.id,
        )
        for q in pack.questions
    )
    say(f"Indexing {len(pack.files)} documents of the sample pack '{DEMO_PACK}'...")
    for name, data in pack.files.items():
        result = await pipeline.ingest(
            db,
            knowledge,
            settings.uploads_dir,
            organization_id=org.id,
            name=name,
            data=data,
            declared=pipeline.Declared(),
            max_bytes=settings.max_upload_bytes,
        )
        if result.outcome == "failed":
            say(f"  {name}: failed: {result.document.error}")
    coach = users["coach@horizon.example"]
    enrollments = {}
    for learner_email, goal in (
        ("lea@horizon.example", "Donner des retours plus directs à mon équipe."),
        ("sam@horizon.example", "Oser prendre la parole en comité de production."),
    ):
        enrollment = Enrollment(
            organization_id=org.id,
            learner_id=users[learner_email].id,
            coach_id=coach.id,
            program_id=program.id,
            goal=goal,
        )
        db.add(enrollment)
        enrollments[learner_email] = enrollment
    await db.flush()
    lea = users["lea@horizon.example"]
    session = CoachingSession(
        organization_id=org.id,
        enrollment_id=enrollments["lea@horizon.example"].id,
        coach_id=coach.id,
        learner_id=lea.id,
        held_at=utcnow() - timedelta(days=2),
        notes="Léa redoute de froisser ; elle veut des retours plus directs sans perdre le lien.",
        goal=enrollments["lea@horizon.example"].goal,
        focus_skills=["feedback"],
        agreed_actions=["Demander un retour à un pair chaque semaine."],
    )
    db.add(session)
    await db.flush()
    # Léa's plan is drafted by the real plan job: the server's worker picks it up as it
    # starts (with the composer unless a model is configured), and the coach reviews it.
    await enqueue_plan(db, session, coach.id)
    await db.flush()
    return True, logins


DEMO_WIDGET_LEARNER = "lea@horizon.example"
DEMO_WIDGET_NAME = "Demo site (interlude widget-demo)"


async def ensure_demo_widget(db: AsyncSession, settings: Settings) -> DemoWidget | None:
    """The demo organisation's integration for `interlude widget-demo`, allowing its origin; made
    once (its secret is shown once, so it is kept in the data folder for the demo host)."""
    known = DemoWidget.load(settings.data_dir)
    org = await get_by_slug(db, DEMO_SLUG)
    if org is None:
        return None
    if known is not None and await db.get(Integration, UUID(known.integration_id)) is not None:
        return known
    admin = await db.scalar(
        select(User).where(User.organization_id == org.id, User.role == Role.ADMIN)
    )
    if admin is None:
        return None
    acting = Identity(
        organization_id=org.id, user_id=admin.id, role=Role.ADMIN, via="job", scopes=frozenset()
    )
    integration, secret = await IntegrationService(db, acting).create(
        IntegrationIn(
            name=DEMO_WIDGET_NAME,
            allowed_origins=[
                f"http://127.0.0.1:{DEMO_HOST_PORT}",
                f"http://localhost:{DEMO_HOST_PORT}",
            ],
            scopes=[IntegrationScope.CHAT_LEARNER],
        )
    )
    widget = DemoWidget(
        interlude_url=settings.public_url.rstrip("/"),
        integration_id=str(integration.id),
        secret=secret,
        learner_email=DEMO_WIDGET_LEARNER,
    )
    widget.save(settings.data_dir)
    return widget
