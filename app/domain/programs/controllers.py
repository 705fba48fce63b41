from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import Program
from app.db.models.enums import Role
from app.domain import access, audit
from app.domain.programs import services
from app.domain.programs.schemas import ModuleIn, ProgramIn, ProgramOut
from app.lib.identity import Identity
from app.lib.pagination import PageParams, fetch_page
from app.lib.schema import Page


async def _program(db: AsyncSession, identity: Identity, program_id: UUID) -> Program:
    return await access.one_in_tenant(
        db, Program, program_id, identity, what="program", field="program_id"
    )


class ProgramController(Controller):
    """Programs and their modules: readable by everyone in the organisation, managed by admins."""

    path = "/api/v1/programs"
    tags = ["programs"]

    @get("/", summary="Programs")
    async def list_programs(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        page: NamedDependency[PageParams],
    ) -> Page[ProgramOut]:
        """The organisation's programs, a page at a time, in a stable order."""
        statement = select(Program).where(access.in_tenant(Program, identity))
        items, cursor = await fetch_page(db_session, statement, Program.id, page)
        return Page(
            items=[ProgramOut.of(p, await services.modules_of(db_session, p.id)) for p in items],
            next_cursor=cursor,
        )

    @get("/{program_id:uuid}", summary="One program with its modules")
    async def get_one(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        program_id: FromPath[UUID],
    ) -> ProgramOut:
        """One program of the caller's organisation with its modules in order."""
        program = await _program(db_session, identity, program_id)
        return ProgramOut.of(program, await services.modules_of(db_session, program.id))

    @post("/", summary="Create a program (admin)")
    async def create(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        data: JSONBody[ProgramIn],
    ) -> ProgramOut:
        """Creates a program of the caller's organisation. Admin only."""
        identity.require_role(Role.ADMIN)
        program, modules = await services.create_program(
            db_session,
            organization_id=identity.organization_id,
            name=data.name,
            language=data.language,
            description=data.description,
            modules=data.modules,
        )
        audit.record(
            db_session,
            organization_id=identity.organization_id,
            actor_id=identity.user_id,
            action="program.create",
            target_type="program",
            target_id=program.id,
        )
        await db_session.refresh(program)
        return ProgramOut.of(program, modules)

    @post("/{program_id:uuid}/modules", summary="Append a module (admin)")
    async def add_module(
        self,
        db_session: NamedDependency[AsyncSession],
        identity: NamedDependency[Identity],
        program_id: FromPath[UUID],
        data: JSONBody[ModuleIn],
    ) -> ProgramOut:
        """Appends a module at the end of a program of the caller's organisation. Admin only."""
        identity.require_role(Role.ADMIN)
        program = await _program(db_session, identity, program_id)
        await services.add_modules(db_session, program, [data])
        return ProgramOut.of(program, await services.modules_of(db_session, program.id))
