"""Shared column helpers. Every tenant-owned table carries `organization_id`."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from advanced_alchemy.base import UUIDv7AuditBase
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

Base = UUIDv7AuditBase


def enum_column(enum: type[StrEnum], **kwargs: Any) -> Any:
    """A VARCHAR column holding a StrEnum's values, checked by SQLAlchemy on the way in."""
    return mapped_column(
        sa.Enum(
            enum,
            native_enum=False,
            length=32,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        **kwargs,
    )


class TenantMixin:
    """The organisation that owns a row; every query of a tenant table filters on it."""

    @declared_attr
    def organization_id(cls) -> Mapped[UUID]:  # noqa: N805 (SQLAlchemy declared_attr)
        return mapped_column(
            sa.ForeignKey("organization.id", ondelete="CASCADE"), index=True, nullable=False
        )
