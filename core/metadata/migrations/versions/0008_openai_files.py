"""OpenAI's Files and Vector Stores: document attributes and chunking, files, vector store settings, files in stores, file batches

Revision ID: 0008_openai_files
Revises: 0007_job_leases
Create Date: 2026-11-28 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_openai_files"
down_revision = "0007_job_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attributes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("chunking", sa.JSON(), nullable=True))
    op.create_table(
        "openai_files",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_path", sa.String(length=1000), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("openai_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_openai_files_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_openai_files_purpose"), ["purpose"], unique=False)
        batch_op.create_index(batch_op.f("ix_openai_files_storage_path"), ["storage_path"], unique=False)
        batch_op.create_index(batch_op.f("ix_openai_files_created_at"), ["created_at"], unique=False)

    op.create_table(
        "vector_store_settings",
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.Column("expires_after_days", sa.Integer(), nullable=True),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("creator_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["collection_id"], ["collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["creator_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("collection_id"),
    )

    op.create_table(
        "vector_store_files",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("file_id", sa.String(length=32), nullable=False),
        sa.Column("document_id", sa.String(length=32), nullable=False),
        sa.Column("batch_id", sa.String(length=32), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collections.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["file_id"], ["openai_files.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collection_id", "file_id"),
    )
    with op.batch_alter_table("vector_store_files", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vector_store_files_collection_id"), ["collection_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vector_store_files_file_id"), ["file_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vector_store_files_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vector_store_files_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "vector_store_file_batches",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("collection_id", sa.String(length=32), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["collections.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vector_store_file_batches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vector_store_file_batches_collection_id"), ["collection_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("vector_store_file_batches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vector_store_file_batches_collection_id"))
    op.drop_table("vector_store_file_batches")
    with op.batch_alter_table("vector_store_files", schema=None) as batch_op:
        for column in ("batch_id", "document_id", "file_id", "collection_id"):
            batch_op.drop_index(batch_op.f(f"ix_vector_store_files_{column}"))
    op.drop_table("vector_store_files")
    op.drop_table("vector_store_settings")
    with op.batch_alter_table("openai_files", schema=None) as batch_op:
        for column in ("created_at", "storage_path", "purpose", "owner_id"):
            batch_op.drop_index(batch_op.f(f"ix_openai_files_{column}"))
    op.drop_table("openai_files")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("chunking")
        batch_op.drop_column("attributes")
