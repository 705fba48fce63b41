"""job leases: a running plan run or document being indexed says who holds it and until when

Every process used to put all `running` rows back in the queue at start, so restarting one of
two servers re-ran the other's jobs (issue #16). Now a claim writes `claimed_by` and
`lease_expires_at`, the holder renews the lease, and only an expired lease is re-queued
(app/lib/leases.py). Rows running before this version have no lease: they count as expired.

Revision ID: 0017
Revises: 0016
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = advanced_alchemy.types.datetime.DateTimeUTC(timezone=True)
_TABLES = ("agent_run", "document")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("claimed_by", sa.String(length=100), nullable=True))
            batch.add_column(sa.Column("lease_expires_at", _WHEN, nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("lease_expires_at")
            batch.drop_column("claimed_by")
