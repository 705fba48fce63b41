from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import Provide
from litestar.params import Parameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Organization
from app.db.models.enums import Language, Role
from app.domain.people.schemas import (
    EnrollmentCreate,
    EnrollmentOut,
    EnrollmentPatch,
    UserCreate,
    UserOut,
    UserPatch,
)
from app.domain.people.services import PeopleService
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import Page
from app.lib.security import Passwords


def provide_people(
    db_session: AsyncSession, identity: Identity, passwords: Passwords
) -> PeopleService:
    return PeopleService(db_session, identity, passwords)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["people"]
    dependencies = {"people": Provide(provide_people, sync_to_thread=False)}

    @get("/", summary="People I may see", description="Admins: everyone; coaches: their learners.")
    async def list_users(
        self,
        people: PeopleService,
        page: PageParams,
        role: Role | None = Parameter(query="role", default=None),
    ) -> Page[UserOut]:
        items, cursor = await people.list_users(page, role)
        return Page([UserOut.of(u) for u in items], cursor)

    @get("/{user_id:uuid}", summary="One person")
    async def get_one(self, people: PeopleService, user_id: UUID) -> UserOut:
        return UserOut.of(await people.get_user(user_id))

    @post("/", summary="Add a person (admin)")
    async def create(
        self, people: PeopleService, db_session: AsyncSession, identity: Identity, data: UserCreate
    ) -> UserOut:
        org = await db_session.get(Organization, identity.organization_id)
        default_locale = org.default_language if org else Language.FR
        return UserOut.of(await people.create_user(data, default_locale))

    @patch("/{user_id:uuid}", summary="Change a person (admin)")
    async def update(self, people: PeopleService, user_id: UUID, data: UserPatch) -> UserOut:
        return UserOut.of(await people.update_user(user_id, data))


class EnrollmentController(Controller):
    path = "/api/v1/enrollments"
    tags = ["people"]
    dependencies = {"people": Provide(provide_people, sync_to_thread=False)}

    @get("/", summary="Enrollments I may see")
    async def list_enrollments(
        self, people: PeopleService, page: PageParams
    ) -> Page[EnrollmentOut]:
        items, cursor = await people.list_enrollments(page)
        return Page([EnrollmentOut.of(e) for e in items], cursor)

    @get("/{enrollment_id:uuid}", summary="One enrollment")
    async def get_one(self, people: PeopleService, enrollment_id: UUID) -> EnrollmentOut:
        return EnrollmentOut.of(await people.get_enrollment(enrollment_id))

    @post("/", summary="Enroll a learner in a program with a coach (admin)")
    async def create(self, people: PeopleService, data: EnrollmentCreate) -> EnrollmentOut:
        return EnrollmentOut.of(await people.create_enrollment(data))

    @patch("/{enrollment_id:uuid}", summary="Change goal, coach or status")
    async def update(
        self, people: PeopleService, enrollment_id: UUID, data: EnrollmentPatch
    ) -> EnrollmentOut:
        return EnrollmentOut.of(await people.update_enrollment(enrollment_id, data))
