from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Annotated, Any
from uuid import UUID

import msgspec

from app.db.models import Organization
from app.db.models.enums import Language
from app.lib.schema import Name, ShortText

HostName = Annotated[
    str,
    msgspec.Meta(
        max_length=253, pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"
    ),
]


class EscalationResource(msgspec.Struct, forbid_unknown_fields=True):
    """Shown to a learner when the safety guard answers instead of coaching (a helpline, HR,
    a doctor...)."""

    label: Name
    contact: ShortText


Resources = Annotated[list[EscalationResource], msgspec.Meta(max_length=20)]
Languages = Annotated[list[Language], msgspec.Meta(min_length=1, max_length=2)]
HostNames = Annotated[list[HostName], msgspec.Meta(max_length=20)]
GroupSize = Annotated[int, msgspec.Meta(ge=3, le=1000)]
Hour = Annotated[int, msgspec.Meta(ge=0, le=23)]
Weekdays = Annotated[
    list[Annotated[int, msgspec.Meta(ge=0, le=6)]], msgspec.Meta(min_length=1, max_length=7)
]
DaysOff = Annotated[list[date], msgspec.Meta(max_length=400)]


class QuietHours(msgspec.Struct, forbid_unknown_fields=True):
    """Local hours during which no e-mail about an item is sent (it waits for `end`): from
    `start` to `end`, across midnight when `start` is later, e.g. 20 to 8."""

    start: Hour
    end: Hour

    def cover(self, hour: int) -> bool:
        if self.start <= self.end:
            return self.start <= hour < self.end
        return hour >= self.start or hour < self.end


class Policy(msgspec.Struct, forbid_unknown_fields=True):
    # Resources per safety tier: urgent (risk to life: a crisis line, emergency services),
    # support (exhaustion, harassment: the employee assistance programme, HR, occupational
    # health) and out of scope (medical, legal, money questions: where to turn).
    escalation_resources: Resources = msgspec.field(default_factory=list)
    support_resources: Resources = msgspec.field(default_factory=list)
    out_of_scope_resources: Resources = msgspec.field(default_factory=list)
    languages: Languages = msgspec.field(default_factory=lambda: [Language.FR, Language.EN])
    # Companion replies may link only to these hosts (and their subdomains), e.g. the intranet.
    link_hosts: HostNames = msgspec.field(default_factory=list)
    # HR figures are shown only for groups at least this large, so nobody can be singled out.
    aggregate_min_group_size: GroupSize = 5
    # Between sessions (app/domain/suggestions/rhythm.py): the local hour items arrive at and
    # the working days they are spread over (Monday = 0; unset: the server's settings), days
    # off (public holidays, closures) on which nothing arrives, and quiet hours for e-mails.
    delivery_hour: Hour | None = None
    working_days: Weekdays | None = None
    days_off: DaysOff = msgspec.field(default_factory=list)
    quiet_hours: QuietHours | None = None

    def __post_init__(self) -> None:
        self.languages = list(dict.fromkeys(self.languages))  # ["fr", "fr"] means ["fr"]
        if self.working_days is not None:
            self.working_days = sorted(set(self.working_days))
        self.days_off = sorted(set(self.days_off))

    @classmethod
    def load(cls, raw: dict[str, Any]) -> Policy:
        return msgspec.convert(raw, cls)

    def resources_by_tier(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """(tier, ((label, contact), ...)) for the chat agent."""
        return tuple(
            (tier, tuple((r.label, r.contact) for r in listed))
            for tier, listed in (
                ("urgent", self.escalation_resources),
                ("support", self.support_resources),
                ("out_of_scope", self.out_of_scope_resources),
            )
        )

    def dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = msgspec.to_builtins(self)
        return dumped


class PolicyPatch(msgspec.Struct, forbid_unknown_fields=True):
    """The parts of the policy to change; the parts left out keep their stored value."""

    escalation_resources: Resources | msgspec.UnsetType = msgspec.UNSET
    support_resources: Resources | msgspec.UnsetType = msgspec.UNSET
    out_of_scope_resources: Resources | msgspec.UnsetType = msgspec.UNSET
    languages: Languages | msgspec.UnsetType = msgspec.UNSET
    link_hosts: HostNames | msgspec.UnsetType = msgspec.UNSET
    aggregate_min_group_size: GroupSize | msgspec.UnsetType = msgspec.UNSET
    delivery_hour: Hour | msgspec.UnsetType | None = msgspec.UNSET
    working_days: Weekdays | msgspec.UnsetType | None = msgspec.UNSET
    days_off: DaysOff | msgspec.UnsetType = msgspec.UNSET
    quiet_hours: QuietHours | msgspec.UnsetType | None = msgspec.UNSET

    def applied_to(self, current: Policy) -> Policy:
        changes = msgspec.to_builtins(self)  # UNSET fields are left out
        return Policy.load({**current.dump(), **changes})


def version_of(org: Organization) -> str:
    """A token that changes whenever what `GET /organization` shows changes (its ETag)."""
    shown = [org.name, str(org.default_language), org.policy]
    digest = hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:20]


class OrganizationOut(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    default_language: Language
    policy: Policy
    version: str  # also the ETag header; send it back as If-Match to refuse a lost update

    @classmethod
    def of(cls, org: Organization) -> OrganizationOut:
        return cls(
            id=org.id,
            slug=org.slug,
            name=org.name,
            default_language=org.default_language,
            policy=Policy.load(org.policy),
            version=version_of(org),
        )


class OrganizationPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    default_language: Language | None = None
    policy: PolicyPatch | None = None
