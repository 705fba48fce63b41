"""`/api/v1/me/export` and `/api/v1/me/erase`: the learner's own data rights."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.privacy.schemas import ErasedOut, EraseIn, LearnerExport
from app.domain.privacy.services import PrivacyService
from app.lib.clock import utcnow
from app.lib.identity import Identity
from app.settings import Settings


def provide_privacy(
    db_session: NamedDependency[AsyncSession], identity: NamedDependency[Identity]
) -> PrivacyService:
    return PrivacyService(db_session, identity)


async def _compact_sqlite(db: AsyncSession) -> None:
    """Fold SQLite's write-ahead log into the file and empty it, so erased text does not
    linger in old log frames (`secure_delete` already zeroes the freed pages)."""
    if db.bind.dialect.name != "sqlite":
        return  # PostgreSQL reclaims deleted rows at its next (auto)vacuum
    connection = await db.connection()  # a fresh one: the erasure was committed
    await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


class PrivacyController(Controller):
    path = "/api/v1/me"
    tags = ["auth"]
    dependencies = {"privacy": Provide(provide_privacy, sync_to_thread=False)}

    @get("/export", summary="Everything Interlude holds about me, as JSON (learner)")
    async def export(self, privacy: NamedDependency[PrivacyService]) -> Response[LearnerExport]:
        """Everything Interlude holds about the learner, as one JSON document. Learner only."""
        filename = f"interlude-export-{utcnow().date().isoformat()}.json"
        return Response(
            await privacy.export(),
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    @post(
        "/erase",
        status_code=200,
        summary="Erase my account and everything I wrote (learner); confirm with my email",
    )
    async def erase(
        self,
        db_session: NamedDependency[AsyncSession],
        privacy: NamedDependency[PrivacyService],
        settings: NamedDependency[Settings],
        data: JSONBody[EraseIn],
    ) -> Response[ErasedOut]:
        """Erases the learner's account and everything they wrote, after they confirm their email.
        Learner only."""
        erased = await privacy.erase(data.confirm)
        # Committed here rather than after the response: the log compaction must see it.
        await db_session.commit()
        await _compact_sqlite(db_session)
        response = Response(erased)  # the moment stored on the account, not a second clock read
        response.delete_cookie(settings.session_cookie_name, path="/")
        return response
