"""Unsupported claims of an answer (claims stating facts no source supports) stored with the message

Revision ID: 0006_unsupported_claims
Revises: 0005_rate_limits
Create Date: 2026-11-28 09:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_unsupported_claims"
down_revision = "0005_rate_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unsupported_claims", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_column("unsupported_claims")
