from __future__ import annotations

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
    """Shown to a learner when the companion detects distress (a helpline, HR, a doctor...)."""

    label: Name
    contact: ShortText


class Policy(msgspec.Struct, forbid_unknown_fields=True):
    escalation_resources: Annotated[list[EscalationResource], msgspec.Meta(max_length=20)] = (
        msgspec.field(default_factory=list)
    )
    languages: Annotated[list[Language], msgspec.Meta(min_length=1, max_length=2)] = msgspec.field(
        default_factory=lambda: [Language.FR, Language.EN]
    )
    # Companion replies may link only to these hosts (and their subdomains), e.g. the intranet.
    link_hosts: Annotated[list[HostName], msgspec.Meta(max_length=20)] = msgspec.field(
        default_factory=list
    )
    # HR figures are shown only for groups at least this large, so nobody can be singled out.
    aggregate_min_group_size: Annotated[int, msgspec.Meta(ge=3, le=1000)] = 5

    def __post_init__(self) -> None:
        self.languages = list(dict.fromkeys(self.languages))  # ["fr", "fr"] means ["fr"]

    @classmethod
    def load(cls, raw: dict[str, Any]) -> Policy:
        return msgspec.convert(raw, cls)

    def dump(self) -> dict[str, Any]:
        dumped: dict[str, Any] = msgspec.to_builtins(self)
        return dumped


class OrganizationOut(msgspec.Struct):
    id: UUID
    slug: str
    name: str
    default_language: Language
    policy: Policy

    @classmethod
    def of(cls, org: Organization) -> OrganizationOut:
        return cls(org.id, org.slug, org.name, org.default_language, Policy.load(org.policy))


class OrganizationPatch(msgspec.Struct, forbid_unknown_fields=True):
    name: Name | None = None
    default_language: Language | None = None
    policy: Policy | None = None
