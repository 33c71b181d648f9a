"""Tenant configuration and agent accounts in the database (their files become seeds); the admin audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 15:12:59
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "admin_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.String(length=64), nullable=True),
        sa.Column("before_sha256", sa.String(length=64), nullable=True),
        sa.Column("after_sha256", sa.String(length=64), nullable=True),
        sa.Column("diff", JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_audit")),
    )
    with op.batch_alter_table("admin_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_audit_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_audit_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "agents",
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("config", JSON, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_agents")),
    )
    # Plain ADD COLUMN (no batch table rebuild): on SQLite, rebuilding `tenants` would drop it, and
    # foreign keys ON DELETE CASCADE would take every visitor and conversation with it.
    op.add_column("tenants", sa.Column("config", JSON, nullable=True))
    op.add_column("tenants", sa.Column("source", sa.String(length=16), server_default="file", nullable=False))
    op.add_column("tenants", sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("tenants", sa.Column("version", sa.Integer(), server_default="0", nullable=False))
    op.add_column("tenants", sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for column in ("updated_at", "version", "disabled", "source", "config"):
        op.drop_column("tenants", column)  # SQLite >= 3.35 drops columns in place

    with op.batch_alter_table("admin_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_audit_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_admin_audit_at"))

    op.drop_table("admin_audit")
    op.drop_table("agents")
