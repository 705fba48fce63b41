"""between sessions: the next session's date, and e-mails when an item arrives

A logged session may say when the next one is: the plan's items are spread over the working
days until then (app/domain/suggestions/rhythm.py). A learner is e-mailed when an item arrives
(once: `announced_at`), unless they turned it off (`item_emails`, through the mails' link).

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


_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("coaching_session") as batch:
        batch.add_column(sa.Column("next_session_at", _WHEN, nullable=True))
    with op.batch_alter_table("suggestion") as batch:
        batch.add_column(sa.Column("announced_at", _WHEN, nullable=True))
        batch.create_index("ix_suggestion_announce", ["announced_at", "deliver_at"])
    # Items delivered before this version are not announced afterwards.
    op.execute("UPDATE suggestion SET announced_at = deliver_at WHERE deliver_at IS NOT NULL")
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(
            sa.Column("item_emails", sa.Boolean(), nullable=False, server_default=sa.true())
        )
        batch.add_column(sa.Column("unsubscribe_token", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_user_account_unsubscribe_token"), ["unsubscribe_token"]
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(op.f("uq_user_account_unsubscribe_token"), type_="unique")
        batch.drop_column("unsubscribe_token")
        batch.drop_column("item_emails")
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_index("ix_suggestion_announce")
        batch.drop_column("announced_at")
    with op.batch_alter_table("coaching_session") as batch:
        batch.drop_column("next_session_at")
