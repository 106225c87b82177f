from pathlib import Path

import pytest

from core.errors import Conflict, InvalidInput, Unauthorized
from core.metadata import accounts
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
from core.security import hash_password, verify_password
from core.types import Role

pytestmark = pytest.mark.unit


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'meta.db'}")
    bootstrap(database, admin_key=None)
    return database


def test_first_start_generates_one_admin_key_then_never_again(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'first.db'}")
    first = bootstrap(database, admin_key=None)
    assert first.generated_admin_key and first.generated_admin_key.startswith("kb-")
    assert bootstrap(database, admin_key=None).generated_admin_key is None
    with database.session() as session:
        principal = accounts.authenticate_key(session=session, key=first.generated_admin_key)
    assert principal.role is Role.admin


def test_key_lifecycle_create_authenticate_revoke(db: Database) -> None:
    with db.session() as session:
        created = accounts.create_key(session=session, user="alice", role=Role.reader, groups=["sales"])
    with db.session() as session:
        principal = accounts.authenticate_key(session=session, key=created.key)
        assert (principal.name, principal.role, principal.groups) == ("alice", Role.reader, frozenset({"sales"}))
        listed = accounts.list_keys(session=session)
        assert created.id in {k.id for k in listed}
        assert all(not hasattr(k, "key") for k in listed)
        accounts.revoke_key(session=session, key_id=created.prefix)
    with db.session() as session, pytest.raises(Unauthorized, match="revoked"):
        accounts.authenticate_key(session=session, key=created.key)


def test_unknown_key_and_disabled_user_are_refused(db: Database) -> None:
    with db.session() as session:
        created = accounts.create_key(session=session, user="bob", role=Role.editor)
        with pytest.raises(Unauthorized):
            accounts.authenticate_key(session=session, key="kb-" + "x" * 40)
        accounts.update_user(session=session, name="bob", disabled=True)
    with db.session() as session, pytest.raises(Unauthorized, match="disabled"):
        accounts.authenticate_key(session=session, key=created.key)


def test_keys_are_stored_only_as_hashes(db: Database, tmp_path: Path) -> None:
    with db.session() as session:
        created = accounts.create_key(session=session, user="carol", role=Role.admin)
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("meta.db*"))
    assert created.key.encode() not in raw
    assert created.key[10:].encode() not in raw  # not even the secret part after the prefix


def test_new_user_needs_a_role_and_names_are_unique(db: Database) -> None:
    with db.session() as session:
        with pytest.raises(InvalidInput, match="give a role"):
            accounts.create_key(session=session, user="nobody")
        accounts.create_user(session=session, name="dave", role=Role.reader)
        with pytest.raises(Conflict):
            accounts.create_user(session=session, name="dave", role=Role.reader)


def test_password_hashing_uses_a_salted_kdf() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$")
    assert verify_password("correct horse", first)
    assert not verify_password("wrong horse", first)
    assert not verify_password("anything", None)


def test_password_sign_in(db: Database) -> None:
    with db.session() as session:
        accounts.create_user(session=session, name="erin", role=Role.reader, password="s3cret-pass")
        assert accounts.authenticate_password(session=session, name="erin", password="s3cret-pass").name == "erin"
        with pytest.raises(Unauthorized):
            accounts.authenticate_password(session=session, name="erin", password="nope-nope")
        with pytest.raises(Unauthorized):
            accounts.authenticate_password(session=session, name="ghost", password="nope-nope")
