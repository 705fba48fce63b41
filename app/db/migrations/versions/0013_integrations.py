"""integrations: an integrator's tool acting for learners through short-lived tokens

An admin creates an integration (allowed origins, scopes); its secret (kept hashed) buys
tokens for one learner at a time, signed with the integration's own key (app/domain/integrations).

Revision ID: 0013
Revises: 0012
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_ID = advanced_alchemy.types.guid.GUID(length=16)
_JSON = advanced_alchemy.types.JsonB


def upgrade() -> None:
    op.create_table(
        "integration",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("signing_key", sa.String(length=100), nullable=False),
        sa.Column("allowed_origins", _JSON, nullable=False),
        sa.Column("scopes", _JSON, nullable=False),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("last_used_at", _WHEN, nullable=True),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_integration_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_integration_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integration")),
        sa.UniqueConstraint("prefix", name=op.f("uq_integration_prefix")),
    )
    op.create_index(op.f("ix_integration_organization_id"), "integration", ["organization_id"])


def downgrade() -> None:
    op.drop_table("integration")
