"""`interlude demo`: a ready-to-use demo organisation, created once, idempotently.

The drafts it seeds are labelled as demo content (no agent produced them). The knowledge issue
adds a sample knowledge pack here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import CoachingSession, Enrollment, QuestionBankEntry, User
from app.db.models.enums import Language, QuestionScale, Role, SuggestionKind
from app.domain.organizations.services import create_organization, get_by_slug
from app.domain.people.services import add_user
from app.domain.programs.schemas import ModuleIn
from app.domain.programs.services import create_program
from app.domain.suggestions.schemas import DraftItem
from app.domain.suggestions.services import create_drafts
from app.lib.clock import utcnow
from app.lib.security import Passwords

DEMO_SLUG = "demo"
DEMO_PEOPLE = (
    ("admin@horizon.example", "Nadia Admin", Role.ADMIN),
    ("coach@horizon.example", "Camille Coach", Role.COACH),
    ("lea@horizon.example", "Léa Martin", Role.LEARNER),
    ("sam@horizon.example", "Sam Okafor", Role.LEARNER),
)
DEMO_MODULES = (
    (
        "Donner et recevoir du feedback",
        "feedback",
        ["Quel feedback récent vous a fait avancer, et pourquoi ?"],
    ),
    (
        "L'écoute active",
        "écoute active",
        ["Dans quelle conversation cette semaine avez-vous vraiment écouté ?"],
    ),
    ("Oser", "audace", ["Qu'avez-vous osé proposer récemment, et qu'en avez-vous appris ?"]),
    (
        "Intelligence émotionnelle",
        "intelligence émotionnelle",
        ["Quelle émotion a guidé une de vos décisions cette semaine ?"],
    ),
    (
        "Coopérer",
        "coopération",
        ["Où la coopération de votre équipe a-t-elle fait la différence ?"],
    ),
)
DEMO_RATIONALE = "Brouillon de démonstration créé par `interlude demo` (aucun agent)."
DEMO_DRAFTS = (
    (
        SuggestionKind.REFLECTION,
        "feedback",
        "En repensant à la réunion d'équipe de mardi, qu'est-ce qui vous a aidée à formuler "
        "votre feedback avec bienveillance, et que feriez-vous différemment ?",
    ),
    (
        SuggestionKind.COMPANY_QUESTION,
        "feedback",
        "En quoi une culture du feedback régulier sert-elle l'ambition de l'entreprise de "
        "mieux coopérer entre les sites ?",
    ),
    (
        SuggestionKind.TEAM_QUESTION,
        "feedback",
        "Qu'est-ce que votre équipe gagnerait si chacun osait demander un feedback chaque semaine, "
        "et quelle place pourriez-vous prendre pour l'initier ?",
    ),
    (
        SuggestionKind.MICRO_ACTION,
        "feedback",
        "Cette semaine, demandez à un collègue un feedback précis sur une de vos présentations.",
    ),
)


@dataclass(frozen=True, slots=True)
class DemoLogin:
    email: str
    role: Role
    name: str


async def seed_demo(
    db: AsyncSession, passwords: Passwords, password: str
) -> tuple[bool, list[DemoLogin]]:
    """Create the demo organisation if absent. Returns (created, logins)."""
    logins = [DemoLogin(email, role, name) for email, name, role in DEMO_PEOPLE]
    if await get_by_slug(db, DEMO_SLUG) is not None:
        return False, logins
    org = await create_organization(
        db, slug=DEMO_SLUG, name="Atelier Horizon", default_language=Language.FR
    )
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
            password=password,
        )
    program, _ = await create_program(
        db,
        organization_id=org.id,
        name="Leadership du quotidien",
        language=Language.FR,
        description="Cinq modules de soft skills, une séance de coaching toutes les 3 semaines.",
        modules=[ModuleIn(title=t, skill=s, reflection_prompts=p) for t, s, p in DEMO_MODULES],
    )
    coach = users["coach@horizon.example"]
    enrollments = {}
    for learner_email, goal in (
        ("lea@horizon.example", "Donner des feedbacks plus directs à mon équipe."),
        ("sam@horizon.example", "Oser prendre la parole en comité de direction."),
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
        notes="Léa redoute de froisser ; elle veut des feedbacks plus directs sans perdre le lien.",
        goal=enrollments["lea@horizon.example"].goal,
        focus_skills=["feedback"],
        agreed_actions=["Demander un feedback à un pair chaque semaine."],
    )
    db.add(session)
    await db.flush()
    await create_drafts(
        db,
        session=session,
        items=[
            DraftItem(kind=k, text=t, rationale=DEMO_RATIONALE, skill=s, language=Language.FR)
            for k, s, t in DEMO_DRAFTS
        ],
    )
    db.add_all(
        QuestionBankEntry(
            organization_id=org.id,
            skill="feedback",
            scale=scale,
            language=Language.FR,
            text=text,
            approved_by_id=coach.id,
        )
        for scale, text in (
            (QuestionScale.COMPANY, "Comment ce savoir-faire sert-il nos valeurs au quotidien ?"),
            (QuestionScale.TEAM, "Que changerait ce savoir-faire pour votre équipe dès demain ?"),
        )
    )
    await db.flush()
    return True, logins
