"""Per-key rate limits: requests and tokens per minute, counted in one-minute windows

Revision ID: 0005_rate_limits
Revises: 0004_orphan_grants
Create Date: 2026-11-28 09:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_rate_limits"
down_revision = "0004_orphan_grants"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requests_per_minute", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("tokens_per_minute", sa.BigInteger(), nullable=True))
    op.create_table(
        "rate_limit_windows",
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("minute", sa.BigInteger(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("tokens", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["key_id"], ["api_keys.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_id", "minute"),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_windows")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("tokens_per_minute")
        batch_op.drop_column("requests_per_minute")
