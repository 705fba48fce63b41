"""calendar and time zone: each person's own zone, and a secret calendar feed

A person may name their time zone: a plan's items are proposed at the delivery hour in the
learner's own zone, and pages show times in it. A learner or coach may subscribe to an
iCalendar feed of their next sessions and the days items are due; the feed's URL holds a
random token of which only a SHA-256 is kept (app/domain/calendar).

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("calendar_token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_user_account_calendar_token_hash"), ["calendar_token_hash"]
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(op.f("uq_user_account_calendar_token_hash"), type_="unique")
        batch.drop_column("calendar_token_hash")
        batch.drop_column("time_zone")
