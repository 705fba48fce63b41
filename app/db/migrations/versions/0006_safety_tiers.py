"""safety tiers and the e-mail outbox

The safety guard sorts what it stops into tiers: urgent (the coach is alerted at once), support
(the learner is offered to tell the coach) and out of scope (never told). A reply message keeps
what the guard did for it (`safety`), and an escalation its tier. An urgent alert is e-mailed to the coach through an
outbox table written in the same transaction, sent once by a worker.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("safety", advanced_alchemy.types.JsonB, nullable=True))
    with op.batch_alter_table("escalation") as batch:
        # Every escalation before tiers was an immediate alert.
        batch.add_column(
            sa.Column("tier", sa.String(length=16), nullable=False, server_default="urgent")
        )

    op.create_table(
        "outbound_email",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("learner_id", advanced_alchemy.types.guid.GUID(length=16), nullable=True),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at",
            advanced_alchemy.types.datetime.DateTimeUTC(timezone=True),
            nullable=False,
        ),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column(
            "sent_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True
        ),
        sa.Column("organization_id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.Column(
            "created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.Column(
            "updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["user_account.id"],
            name=op.f("fk_outbound_email_learner_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organization.id"],
            name=op.f("fk_outbound_email_organization_id_organization"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_email")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbound_email_idempotency_key")),
    )
    op.create_index(
        op.f("ix_outbound_email_learner_id"), "outbound_email", ["learner_id"], unique=False
    )
    op.create_index(
        op.f("ix_outbound_email_next_attempt_at"),
        "outbound_email",
        ["next_attempt_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbound_email_organization_id"),
        "outbound_email",
        ["organization_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_outbound_email_organization_id"), table_name="outbound_email")
    op.drop_index(op.f("ix_outbound_email_next_attempt_at"), table_name="outbound_email")
    op.drop_index(op.f("ix_outbound_email_learner_id"), table_name="outbound_email")
    op.drop_table("outbound_email")
    with op.batch_alter_table("escalation") as batch:
        batch.drop_column("tier")
    with op.batch_alter_table("message") as batch:
        batch.drop_column("safety")
