from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models.enums import Role
from app.domain.auth.accounts import AccountService
from app.domain.auth.controllers import provide_accounts
from app.domain.people.schemas import (
    EnrollmentCreate,
    EnrollmentOut,
    EnrollmentPatch,
    InvitationOut,
    UserCreate,
    UserOut,
    UserPatch,
)
from app.domain.people.services import PeopleService
from app.lib.errors import Conflict
from app.lib.identity import Identity
from app.lib.openapi import errors
from app.lib.pagination import PageParams
from app.lib.schema import Page
from app.lib.security import Passwords


def provide_people(
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    passwords: NamedDependency[Passwords],
) -> PeopleService:
    return PeopleService(db_session, identity, passwords)


class UserController(Controller):
    path = "/api/v1/users"
    tags = ["people"]
    dependencies = {
        "people": Provide(provide_people, sync_to_thread=False),
        "accounts": Provide(provide_accounts, sync_to_thread=False),
    }

    @get("/", summary="People I may see", description="Admins: everyone; coaches: their learners.")
    async def list_users(
        self,
        people: NamedDependency[PeopleService],
        page: NamedDependency[PageParams],
        role: Annotated[Role | None, QueryParameter(name="role")] = None,
    ) -> Page[UserOut]:
        items, cursor = await people.list_users(page, role)
        return Page(items=[UserOut.of(u) for u in items], next_cursor=cursor)

    @get("/{user_id:uuid}", summary="One person")
    async def get_one(
        self, people: NamedDependency[PeopleService], user_id: FromPath[UUID]
    ) -> UserOut:
        """One person of the caller's organisation that the caller may see: an admin sees everyone,
        a coach their learners, a learner themselves."""
        return UserOut.of(await people.get_user(user_id))

    @post("/", summary="Add a person (admin)", responses=errors(Conflict))
    async def create(
        self,
        people: NamedDependency[PeopleService],
        data: JSONBody[UserCreate],
    ) -> UserOut:
        """Adds a learner, coach or admin to the caller's organisation. An email already used in the
        organisation answers 409. Admin only."""
        return UserOut.of(await people.create_user(data))

    @post(
        "/{user_id:uuid}/invitation",
        status_code=202,
        summary="Send a person the link to set their password (admin)",
        description=(
            "Replaces any earlier unused link. The link goes to the person's address only "
            "(never in this response); with no SMTP server configured, the operator prints it "
            "with `interlude user invite`."
        ),
    )
    async def invite(
        self, accounts: NamedDependency[AccountService], user_id: FromPath[UUID]
    ) -> InvitationOut:
        return await accounts.invite(user_id)

    @patch("/{user_id:uuid}", summary="Change a person (admin)")
    async def update(
        self,
        people: NamedDependency[PeopleService],
        user_id: FromPath[UUID],
        data: JSONBody[UserPatch],
    ) -> UserOut:
        """Changes a person's name, language, role or active flag; only the fields sent change.
        Nobody sets another person's password (403). Admin only."""
        return UserOut.of(await people.update_user(user_id, data))


class EnrollmentController(Controller):
    path = "/api/v1/enrollments"
    tags = ["people"]
    dependencies = {"people": Provide(provide_people, sync_to_thread=False)}

    @get("/", summary="Enrollments I may see")
    async def list_enrollments(
        self, people: NamedDependency[PeopleService], page: NamedDependency[PageParams]
    ) -> Page[EnrollmentOut]:
        """Enrollments the caller may see (an admin all of the organisation, a coach their
        learners', a learner their own), in a stable order, a page at a time."""
        items, cursor = await people.list_enrollments(page)
        return Page(items=[EnrollmentOut.of(e) for e in items], next_cursor=cursor)

    @get("/{enrollment_id:uuid}", summary="One enrollment")
    async def get_one(
        self, people: NamedDependency[PeopleService], enrollment_id: FromPath[UUID]
    ) -> EnrollmentOut:
        """One enrollment the caller may see: its learner, coach, program, goal and status."""
        return EnrollmentOut.of(await people.get_enrollment(enrollment_id))

    @post(
        "/",
        summary="Enroll a learner in a program with a coach (admin)",
        responses=errors(Conflict),
    )
    async def create(
        self, people: NamedDependency[PeopleService], data: JSONBody[EnrollmentCreate]
    ) -> EnrollmentOut:
        """Enrolls a learner in a program with a coach, all of the caller's organisation. A learner
        already in that program answers 409. Admin only."""
        return EnrollmentOut.of(await people.create_enrollment(data))

    @patch("/{enrollment_id:uuid}", summary="Change goal, coach or status")
    async def update(
        self,
        people: NamedDependency[PeopleService],
        enrollment_id: FromPath[UUID],
        data: JSONBody[EnrollmentPatch],
    ) -> EnrollmentOut:
        """Changes an enrollment's goal, coach or active flag; only the fields sent change."""
        return EnrollmentOut.of(await people.update_enrollment(enrollment_id, data))
