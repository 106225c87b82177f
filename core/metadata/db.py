"""Engine, sessions and start-up migration for the metadata DB (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from core.metadata.models import (
    Base,
    LexicalDocumentTerms,
    LexicalTermCount,
    SchemaVersion,
    UiSession,
    UsageReservation,
)

log = logging.getLogger(__name__)

# Each step brings the schema from version i to i+1. Append only; never edit a released step.
MIGRATIONS: list[Callable[[Connection], None]] = [
    lambda conn: Base.metadata.create_all(conn),
    lambda conn: UiSession.__table__.create(conn, checkfirst=True),  # v2: browser sign-in
    # v3: per-collection BM25 statistics (filled from the vector store at the next start), budget reservations
    lambda conn: Base.metadata.create_all(
        conn, tables=[LexicalTermCount.__table__, LexicalDocumentTerms.__table__, UsageReservation.__table__]
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


class Database:
    """Owns the engine; ``session()`` gives a transaction that commits on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> int:
        """Create or upgrade the schema to ``SCHEMA_VERSION``; returns the version now in place."""
        with self.engine.begin() as conn:
            if not inspect(conn).has_table(SchemaVersion.__tablename__):
                SchemaVersion.__table__.create(conn)
            current = conn.execute(select(SchemaVersion.version).where(SchemaVersion.id == 1)).scalar()
            current = current or 0
            for step in range(current, SCHEMA_VERSION):
                log.info("migrating metadata schema", extra={"from_version": step, "to_version": step + 1})
                MIGRATIONS[step](conn)
            if current == 0:
                conn.execute(SchemaVersion.__table__.insert().values(id=1, version=SCHEMA_VERSION))
            elif current != SCHEMA_VERSION:
                conn.execute(
                    SchemaVersion.__table__.update().where(SchemaVersion.id == 1).values(version=SCHEMA_VERSION)
                )
        return SCHEMA_VERSION

    @contextmanager
    def session(self) -> Iterator[Session]:
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            log.exception("database ping failed")
            return False

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    # WAL lets the web server read while the ingestion worker writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
