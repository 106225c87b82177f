"""Delete collection grants that name no existing group

Grants name groups by name. Release 37eec5e left a deleted group's grants behind, so a
new group created later under the same name would have inherited them. Grants to ``everyone`` (a
group every user is in, without a row) stay. The chunks' reader lists may still name the old
group: harmless, as search also requires the collection to be readable through a grant.

Revision ID: 0004_orphan_grants
Revises: 0003_responses
Create Date: 2026-11-28 09:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_orphan_grants"
down_revision = "0003_responses"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        sa.text(
            "DELETE FROM collection_grants WHERE group_name <> 'everyone' "
            "AND group_name NOT IN (SELECT name FROM groups)"
        )
    )


def downgrade() -> None:
    """The deleted grants named groups that no longer exist; nothing to restore."""
