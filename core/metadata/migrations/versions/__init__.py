"""Alembic revisions, oldest first by number. Every change to ``core/metadata/models.py`` needs one."""
