"""company events on the path: a draft to prepare an event and one to draw lessons from it

An event is a knowledge document of kind `event` with a date. Before it, each learner on an
active program gets a drafted preparation question; after it, a lessons-learned question; the
coach reviews both like any draft. A draft names its event and phase, and a learner gets at most
one per event and phase (`uq_suggestion_event`), however many workers draft at once.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = advanced_alchemy.types.guid.GUID(length=16)


def upgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.add_column(sa.Column("event_document_id", _ID, nullable=True))
        batch.add_column(sa.Column("event_phase", sa.String(length=16), nullable=True))
        batch.create_foreign_key(
            op.f("fk_suggestion_event_document_id_document"),
            "document",
            ["event_document_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_unique_constraint(
            op.f("uq_suggestion_event"), ["learner_id", "event_document_id", "event_phase"]
        )


def downgrade() -> None:
    with op.batch_alter_table("suggestion") as batch:
        batch.drop_constraint(op.f("uq_suggestion_event"), type_="unique")
        batch.drop_constraint(op.f("fk_suggestion_event_document_id_document"), type_="foreignkey")
        batch.drop_column("event_phase")
        batch.drop_column("event_document_id")
