"""``knowbase db``: upgrade the metadata schema, show its revision, and (developers) add a revision."""

from __future__ import annotations

import argparse

from core.settings import Settings


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = sub.add_parser("db", help="metadata database schema (Alembic)").add_subparsers(
        dest="db_command", required=True
    )
    db.add_parser("upgrade", help="upgrade the schema to the newest revision").set_defaults(handler=_upgrade)
    db.add_parser("current", help="print the schema revision of the database").set_defaults(handler=_current)
    revision = db.add_parser("revision", help="(developers) autogenerate a revision from changed models")
    revision.add_argument("-m", "--message", required=True, help="what changed, e.g. 'add documents.language'")
    revision.set_defaults(handler=_revision)


def _upgrade(_args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata.db import Database
    from core.metadata.migration import current_revision

    db = Database(settings.resolved_database_url)
    try:
        before = current_revision(db)
        after = db.migrate()
    finally:
        db.close()
    print(
        f"metadata database at revision {after}"
        + (" (unchanged)" if before == after else f" (was {before or 'empty'})")
    )
    return 0


def _current(_args: argparse.Namespace, settings: Settings) -> int:
    from core.metadata.db import Database
    from core.metadata.migration import current_revision, head_revision

    db = Database(settings.resolved_database_url)
    try:
        revision = current_revision(db)
    finally:
        db.close()
    head = head_revision()
    if revision is None:
        print(f"none (empty or pre-Alembic database; 'knowbase db upgrade' brings it to {head})")
    else:
        print(revision + (" (head)" if revision == head else f" (head is {head}; run 'knowbase db upgrade')"))
    return 0


def _revision(args: argparse.Namespace, _settings: Settings) -> int:
    from core.metadata.migration import new_revision

    path = new_revision(args.message)
    print(f"wrote {path}; review it, then run ruff format on it")
    return 0
