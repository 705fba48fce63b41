"""Who is calling: resolved once per request from a session cookie or an API key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from app.db.models.enums import ApiScope, IntegrationScope, Role
from app.lib.errors import Forbidden

# The `opt` key by which a route handler (or its controller) opens itself to integrations'
# learner tokens of one scope; a route without it refuses them (app/domain/auth/deps.py).
INTEGRATION_SCOPE = "integration_scope"


def open_to(scope: IntegrationScope) -> dict[str, IntegrationScope]:
    """A handler's or controller's `opt`: learner tokens with this scope may call it."""
    return {INTEGRATION_SCOPE: scope}


@dataclass(frozen=True, slots=True)
class Identity:
    organization_id: UUID
    user_id: UUID
    role: Role
    # job: a scheduled task acting for the person; calendar: their feed's secret URL (reads);
    # integration: a learner token an integration asked for (app/domain/integrations)
    via: Literal["session", "api_key", "job", "calendar", "integration"]
    scopes: frozenset[ApiScope]
    # With a learner token: the integration, its scopes, and the origins it allows (CORS).
    integration_id: UUID | None = None
    integration_scopes: frozenset[str] = frozenset()
    allowed_origins: tuple[str, ...] = ()

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
