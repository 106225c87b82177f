"""Alembic migrations of the metadata DB, configured in code (no alembic.ini), plus the lock that
keeps two processes starting at once from migrating or bootstrapping the same database together.

Every change to ``core/metadata/models.py`` needs a revision in ``migrations/versions/``; create one
with ``knowbase db revision -m "what changed"`` and review it before committing.
"""

from __future__ import annotations

import fcntl
import logging
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, func, inspect, select, text
from sqlalchemy.engine import Connection, Engine

from core.errors import KnowbaseError

if TYPE_CHECKING:
    from core.metadata.db import Database

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BASELINE_REVISION = "0001"  # the schema of release 37eec5e
LEGACY_TABLE = "schema_version"  # the hand-rolled version table used before Alembic
LEGACY_VERSION = 2  # its last value, equal to BASELINE_REVISION
PG_LOCK_KEY = int.from_bytes(b"kb-schma", "big")  # fixed pg_advisory_lock key (fits in a bigint)
_memory_lock = threading.Lock()  # in-memory SQLite: no file to lock, one process only


class SchemaError(KnowbaseError):
    code = "schema_error"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise SchemaError("no Alembic revisions found")
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database) -> str:
    """Bring the schema to the newest revision: a fresh DB from nothing, a DB of the pre-Alembic
    release adopted at the baseline first. Call it under ``schema_lock``; returns the revision."""
    with _migration_connection(db) as connection:
        config = alembic_config(connection)
        _adopt_unversioned(connection, config)
        command.upgrade(config, "head")
        if connection.dialect.name == "sqlite":
            # Table copies run with foreign keys off (so dropping a parent cascades nothing): check after.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise SchemaError(f"the migration left {len(broken)} rows with broken foreign keys")
        revision = MigrationContext.configure(connection).get_current_revision()
    return revision or ""


def _adopt_unversioned(connection: Connection, config: Config) -> None:
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables or not tables:
        return
    if LEGACY_TABLE not in tables:
        raise SchemaError(
            "the metadata database has tables but no schema version; point KNOWBASE_DATABASE_URL at a "
            "knowbase database or an empty one"
        )
    version = connection.execute(text(f"SELECT version FROM {LEGACY_TABLE} WHERE id = 1")).scalar()
    if version != LEGACY_VERSION:
        raise SchemaError(
            f"the metadata database is at pre-Alembic schema version {version}; start release 37eec5e "
            f"once to bring it to version {LEGACY_VERSION}, then this one"
        )
    log.info("adopting a pre-Alembic metadata database at the baseline revision", extra={"revision": BASELINE_REVISION})
    command.stamp(config, BASELINE_REVISION)
    connection.execute(text(f"DROP TABLE {LEGACY_TABLE}"))


@contextmanager
def _migration_connection(db: Database) -> Iterator[Connection]:
    """One transaction for the whole upgrade. SQLite gets its own engine: foreign keys off, and an
    explicit BEGIN IMMEDIATE so DDL is transactional too (pysqlite would autocommit it)."""
    database = db.engine.url.database
    if db.engine.dialect.name != "sqlite" or not database or database == ":memory:":
        with db.engine.begin() as connection:
            yield connection
        return
    engine = create_engine(db.engine.url, connect_args={"timeout": 30})
    event.listen(engine, "connect", _sqlite_manual_transactions)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def _sqlite_manual_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


@contextmanager
def schema_lock(db: Database) -> Iterator[None]:
    """Exclusive across processes: a PostgreSQL advisory lock, or a file lock beside the SQLite file."""
    if db.engine.dialect.name == "postgresql":
        with _pg_advisory_lock(db.engine):
            yield
        return
    database = db.engine.url.database
    if not database or database == ":memory:":
        with _memory_lock:
            yield
        return
    with open(f"{database}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another process to finish migrating the metadata database")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _pg_advisory_lock(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        if not connection.execute(select(func.pg_try_advisory_lock(PG_LOCK_KEY))).scalar():
            log.info("waiting for another process to finish migrating the metadata database")
            connection.execute(select(func.pg_advisory_lock(PG_LOCK_KEY)))
        connection.commit()  # the lock belongs to the session; do not sit idle in a transaction
        try:
            yield
        finally:
            connection.execute(select(func.pg_advisory_unlock(PG_LOCK_KEY)))
            connection.commit()


def new_revision(message: str) -> Path:
    """Autogenerate a revision from the difference between the models and a scratch SQLite DB at
    head (a developer command: it writes into the source tree). Review the file it returns."""
    from core.metadata.db import Database

    numbers = [int(p.name[:4]) for p in (MIGRATIONS_DIR / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")]
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Database(f"sqlite:///{Path(scratch_dir) / 'scratch.db'}")
        try:
            upgrade(scratch)
            with scratch.engine.begin() as connection:
                script = command.revision(
                    alembic_config(connection),
                    message=message,
                    autogenerate=True,
                    rev_id=f"{max(numbers, default=0) + 1:04d}",
                )
        finally:
            scratch.close()
    if script is None or isinstance(script, list):
        raise SchemaError("Alembic did not write exactly one revision")
    return Path(script.path)
