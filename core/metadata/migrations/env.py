"""Alembic environment, run only programmatically by ``core.metadata.migration`` with an open
connection (there is no alembic.ini and no offline/SQL-script mode)."""

from __future__ import annotations

from alembic import context

from core.metadata.models import Base

if context.is_offline_mode():
    raise RuntimeError("knowbase migrations run online only: use 'knowbase db upgrade'")

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=Base.metadata,
    # SQLite alters tables by copying them; batch mode makes generated revisions portable.
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
