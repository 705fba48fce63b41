"""circles: peer circles (co-development) of 4 to 8 learners with a facilitator

Five new tables only (circle, circle_member, circle_session, circle_contribution,
circle_draft): nothing existing changes. A draft's `state` is the facilitator's approval gate.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence
from typing import Any

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
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


def _fk_null(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="SET NULL",
    )


def upgrade() -> None:
    op.create_table(
        "circle",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("facilitator_id", _ID, nullable=False),
        sa.Column("created_by_id", _ID, nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        *_common("circle"),
        _fk("circle", "facilitator_id", "user_account"),
        _fk_null("circle", "created_by_id", "user_account"),
    )
    _indexes("circle", "facilitator_id")
    op.create_table(
        "circle_member",
        sa.Column("circle_id", _ID, nullable=False),
        sa.Column("learner_id", _ID, nullable=False),
        *_common("circle_member"),
        _fk("circle_member", "circle_id", "circle"),
        _fk("circle_member", "learner_id", "user_account"),
        sa.UniqueConstraint("circle_id", "learner_id", name="uq_circle_member"),
    )
    _indexes("circle_member", "circle_id", "learner_id")
    op.create_table(
        "circle_session",
        sa.Column("circle_id", _ID, nullable=False),
        sa.Column("presenter_id", _ID, nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("step_started_at", _WHEN, nullable=False),
        sa.Column("closed_at", _WHEN, nullable=True),
        sa.Column("item_id", _ID, nullable=True),
        *_common("circle_session"),
        _fk("circle_session", "circle_id", "circle"),
        _fk_null("circle_session", "presenter_id", "user_account"),
        _fk_null("circle_session", "item_id", "suggestion"),
    )
    _indexes("circle_session", "circle_id", "presenter_id")
    op.create_table(
        "circle_contribution",
        sa.Column("session_id", _ID, nullable=False),
        sa.Column("circle_id", _ID, nullable=False),
        sa.Column("author_id", _ID, nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("safety_tier", sa.String(length=16), nullable=True),
        sa.Column("safety_category", sa.String(length=32), nullable=True),
        *_common("circle_contribution"),
        _fk("circle_contribution", "session_id", "circle_session"),
        _fk("circle_contribution", "circle_id", "circle"),
        _fk("circle_contribution", "author_id", "user_account"),
    )
    _indexes("circle_contribution", "session_id", "circle_id", "author_id")
    op.create_table(
        "circle_draft",
        sa.Column("session_id", _ID, nullable=False),
        sa.Column("circle_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reviewed_by_id", _ID, nullable=True),
        sa.Column("reviewed_at", _WHEN, nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        *_common("circle_draft"),
        _fk("circle_draft", "session_id", "circle_session"),
        _fk("circle_draft", "circle_id", "circle"),
        _fk_null("circle_draft", "reviewed_by_id", "user_account"),
    )
    _indexes("circle_draft", "session_id", "circle_id")


def downgrade() -> None:
    op.drop_table("circle_draft")
    op.drop_table("circle_contribution")
    op.drop_table("circle_session")
    op.drop_table("circle_member")
    op.drop_table("circle")
