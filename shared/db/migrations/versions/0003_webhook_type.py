"""Webhook deliveries: one table for every webhook type (turn.completed, handoff.state_changed).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webhook_type", sa.String(length=64), server_default="turn.completed", nullable=False)
        )
        batch_op.drop_constraint("uq_webhook_deliveries_event_id_attempt", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_webhook_deliveries_webhook_type_event_id_attempt"), ["webhook_type", "event_id", "attempt"]
        )


def downgrade() -> None:
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_deliveries_webhook_type_event_id_attempt", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_webhook_deliveries_event_id_attempt"), ["event_id", "attempt"])
        batch_op.drop_column("webhook_type")
