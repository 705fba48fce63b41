"""companions: people a learner invites to give feedback on a goal, through a magic link

Three new tables only (companion, feedback_request, companion_feedback): nothing existing
changes. A companion's link is kept as a SHA-256; revoking marks it, so the page can say the link was withdrawn.

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = advanced_alchemy.types.guid.GUID(length=16)
_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def _common(table: str) -> list[Any]:
    """Columns and constraints every tenant table of the app carries."""
    return [
        sa.Column("id", _ID, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f(f"fk_{table}_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ("organization_id", *columns):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "companion",
        sa.Column("learner_id", _ID, nullable=False),
        sa.Column("enrollment_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("relation", sa.String(length=16), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("name_visible_to_coach", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("revoked_at", _WHEN, nullable=True),
        *_common("companion"),
        _fk("companion", "learner_id", "user_account"),
        _fk("companion", "enrollment_id", "enrollment"),
        sa.UniqueConstraint("token_hash", name=op.f("uq_companion_token_hash")),
    )
    _indexes("companion", "learner_id", "enrollment_id")
    op.create_table(
        "feedback_request",
        sa.Column("companion_id", _ID, nullable=False),
        sa.Column("learner_id", _ID, nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answered_at", _WHEN, nullable=True),
        *_common("feedback_request"),
        _fk("feedback_request", "companion_id", "companion"),
        _fk("feedback_request", "learner_id", "user_account"),
    )
    _indexes("feedback_request", "companion_id", "learner_id")
    op.create_table(
        "companion_feedback",
        sa.Column("request_id", _ID, nullable=False),
        sa.Column("companion_id", _ID, nullable=False),
        sa.Column("learner_id", _ID, nullable=False),
        sa.Column("fact", sa.Text(), nullable=False),
        sa.Column("effect", sa.Text(), nullable=False),
        sa.Column("suggestion", sa.Text(), nullable=False),
        sa.Column("shared_with_coach", sa.Boolean(), nullable=False),
        sa.Column("safety_tier", sa.String(length=16), nullable=True),
        sa.Column("safety_category", sa.String(length=32), nullable=True),
        *_common("companion_feedback"),
        _fk("companion_feedback", "request_id", "feedback_request"),
        _fk("companion_feedback", "companion_id", "companion"),
        _fk("companion_feedback", "learner_id", "user_account"),
    )
    _indexes("companion_feedback", "request_id", "companion_id", "learner_id")


def downgrade() -> None:
    op.drop_table("companion_feedback")
    op.drop_table("feedback_request")
    op.drop_table("companion")
