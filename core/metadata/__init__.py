"""The metadata database: SQLAlchemy models, schema migration and data-access functions."""

from core.metadata.db import Database

__all__ = ["Database"]
