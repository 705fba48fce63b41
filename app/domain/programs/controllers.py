from __future__ import annotations

from uuid import UUID

from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.programs.schemas import ModuleIn, ProgramIn, ProgramOut
from app.domain.programs.services import ProgramService
from app.lib.identity import Identity
from app.lib.pagination import PageParams
from app.lib.schema import Page


def provide_programs(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> ProgramService:
    return ProgramService(db_session, identity)


class ProgramController(Controller):
    """Programs and their modules: readable by everyone in the organisation, managed by admins."""

    path = "/api/v1/programs"
    tags = ["programs"]
    dependencies = {"programs": Provide(provide_programs, sync_to_thread=False)}

    @get("/", summary="Programs")
    async def list_programs(
        self, programs: NamedDependency[ProgramService], page: NamedDependency[PageParams]
    ) -> Page[ProgramOut]:
        """The organisation's programs, a page at a time, in a stable order."""
        items, cursor = await programs.list(page)
        return Page(items=[ProgramOut.of(p, m) for p, m in items], next_cursor=cursor)

    @get("/{program_id:uuid}", summary="One program with its modules")
    async def get_one(
        self, programs: NamedDependency[ProgramService], program_id: FromPath[UUID]
    ) -> ProgramOut:
        """One program of the caller's organisation with its modules in order."""
        return ProgramOut.of(*await programs.get(program_id))

    @post("/", summary="Create a program (admin)")
    async def create(
        self, programs: NamedDependency[ProgramService], data: JSONBody[ProgramIn]
    ) -> ProgramOut:
        """Creates a program of the caller's organisation. Admin only."""
        return ProgramOut.of(*await programs.create(data))

    @post("/{program_id:uuid}/modules", summary="Append a module (admin)")
    async def add_module(
        self,
        programs: NamedDependency[ProgramService],
        program_id: FromPath[UUID],
        data: JSONBody[ModuleIn],
    ) -> ProgramOut:
        """Appends a module at the end of a program of the caller's organisation. Admin only."""
        return ProgramOut.of(*await programs.add_module(program_id, data))
