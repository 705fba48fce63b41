"""item reminders: an item still unanswered some days after it arrived is recalled once

`reminded_at` marks the item recalled by e-mail (or decided against: the learner turned the
e-mails off). Items that arrived before this version are never recalled.

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.add_column(sa.Column("reminded_at", _WHEN, nullable=True))
        batch.create_index("ix_suggestion_remind", ["reminded_at", "announced_at"])
    op.execute("UPDATE suggestion SET reminded_at = announced_at WHERE announced_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_index("ix_suggestion_remind")
        batch.drop_column("reminded_at")
