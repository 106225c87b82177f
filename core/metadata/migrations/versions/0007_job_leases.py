"""Ingestion jobs with owners, leases and a fair claim order; stored files addressed relative to
the file store's root

Revision ID: 0007_job_leases
Revises: 0006_unsupported_claims
Create Date: 2026-11-28 09:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_job_leases"
down_revision = "0006_unsupported_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ingestion_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("size_bytes", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("owner", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
    # Existing jobs keep their first-in-first-out order; running ones have no lease, so the first
    # worker to look reclaims them (what every start did before this revision).
    op.execute("UPDATE ingestion_jobs SET due_at = created_at")
    with op.batch_alter_table("ingestion_jobs", schema=None) as batch_op:
        batch_op.alter_column("due_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column("size_bytes", server_default=None)
        batch_op.create_index(batch_op.f("ix_ingestion_jobs_due_at"), ["due_at"], unique=False)
    _relative_storage_paths()


def _relative_storage_paths() -> None:
    """``/old/data/uploads/ab/<sha256>.pdf`` → ``uploads/ab/<sha256>.pdf``: the file store resolves
    keys against its root, so a data dir that is moved or restored elsewhere keeps its files. The
    layout (uploads/<2 hex>/<sha256><suffix>) identifies the key without knowing the old data dir."""
    connection = op.get_bind()
    documents = sa.table(
        "documents", sa.column("id", sa.String), sa.column("storage_path", sa.String), sa.column("sha256", sa.String)
    )
    rows = connection.execute(sa.select(documents.c.id, documents.c.storage_path, documents.c.sha256)).all()
    for document_id, path, sha256 in rows:
        key = storage_key_of(path, sha256)
        if key != path:
            connection.execute(sa.update(documents).where(documents.c.id == document_id).values(storage_path=key))


def storage_key_of(path: str, sha256: str) -> str:
    parts = path.replace("\\", "/").split("/")
    if len(parts) >= 3 and parts[-3] == "uploads" and parts[-2] == sha256[:2] and parts[-1].startswith(sha256):
        return "/".join(parts[-3:])
    return path  # not knowbase's layout: left as it is (absolute paths are still read as such)


def downgrade() -> None:
    with op.batch_alter_table("ingestion_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ingestion_jobs_due_at"))
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("lease_expires_at")
        batch_op.drop_column("owner")
        batch_op.drop_column("size_bytes")
        batch_op.drop_column("due_at")
