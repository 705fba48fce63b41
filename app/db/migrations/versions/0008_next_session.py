"""the next session's date, for a plan's rhythm

A logged session may say when the next one is: the plan's items are spread over the working
days until then (app/domain/suggestions/rhythm.py).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coaching_session") as batch:
        batch.add_column(
            sa.Column(
                "next_session_at",
                advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("coaching_session") as batch:
        batch.drop_column("next_session_at")
