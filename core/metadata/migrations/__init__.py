"""The Alembic environment of the metadata DB (``env.py``) and its revisions (``versions/``)."""
