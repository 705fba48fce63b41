"""Who is calling: resolved once per request from a session cookie or an API key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from app.db.models.enums import ApiScope, Role
from app.lib.errors import Forbidden


@dataclass(frozen=True, slots=True)
class Identity:
    organization_id: UUID
    user_id: UUID
    role: Role
    # job: a scheduled task acting for the person; calendar: their feed's secret URL (reads)
    via: Literal["session", "api_key", "job", "calendar"]
    scopes: frozenset[ApiScope]

    @property
    def is_learner(self) -> bool:
        return self.role is Role.LEARNER

    @property
    def is_coach(self) -> bool:
        return self.role is Role.COACH

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            allowed = " or ".join(r.value for r in roles)
            raise Forbidden(f"This action is for the {allowed} role; you are {self.role.value}.")
