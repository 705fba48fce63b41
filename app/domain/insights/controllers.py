from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.insights.schemas import InsightsOut
from app.domain.insights.services import InsightsService
from app.lib.identity import Identity


class InsightsController(Controller):
    path = "/api/v1/insights"
    tags = ["insights"]

    @get(
        "/",
        summary="How programs are used: counts only, for groups of at least the policy's minimum"
        " size (admin)",
    )
    async def figures(
        self, db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
    ) -> InsightsOut:
        """How programs are used, as counts only: groups smaller than the policy's minimum size are
        left out so nobody can be singled out. Admin only."""
        return await InsightsService(db_session, identity).figures()
