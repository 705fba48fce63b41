"""What a person chooses about the e-mails Interlude sends them, from the link those e-mails
carry: no login, the link's token is the credential (app/domain/notifications/announcer.py
writes it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db.models import User
from app.domain import audit


class EmailPreferences:
    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def unsubscribe(self, token: str) -> User | None:
        """Stops the "something new from your coach" e-mails of the account whose link this
        is; None for a token no account holds (the page then says the link is not valid).
        Clicking twice changes nothing the second time, so records nothing."""
        if not token:
            return None
        user = await self.db.scalar(select(User).where(User.unsubscribe_token == token))
        if user is None or not user.item_emails:
            return user
        user.item_emails = False
        audit.record(
            self.db,
            organization_id=user.organization_id,
            actor_id=user.id,
            action="user.unsubscribe",
            target_type="user",
            target_id=user.id,
        )
        return user
