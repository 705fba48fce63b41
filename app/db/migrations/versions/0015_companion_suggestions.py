"""companion suggestions: a coach suggests to a learner whom to ask (a kind of person) and what

One new table (companion_suggestion): nothing existing changes.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = advanced_alchemy.types.guid.GUID(length=16)
_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_TABLE = "companion_suggestion"


def _fk(column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{_TABLE}_{column}_{target}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("learner_id", _ID, nullable=False),
        sa.Column("coach_id", _ID, nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("companion_id", _ID, nullable=True),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("id", _ID, nullable=False),
        sa.Column("organization_id", _ID, nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        _fk("organization_id", "organization"),
        _fk("learner_id", "user_account"),
        _fk("coach_id", "user_account"),
        _fk("companion_id", "companion", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
    )
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        for column in ("organization_id", "learner_id", "coach_id"):
            batch_op.create_index(batch_op.f(f"ix_{_TABLE}_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table(_TABLE)
