"""Stored responses of OpenAI's Responses API (retrieve, delete, previous_response_id)

Revision ID: 0003_responses
Revises: 0002
Create Date: 2026-11-28 09:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_responses"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "openai_responses",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("message_id", sa.String(length=32), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("messages", sa.JSON(), nullable=False),
        sa.Column("input_items", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("openai_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_openai_responses_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("openai_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_openai_responses_user_id"))
    op.drop_table("openai_responses")
