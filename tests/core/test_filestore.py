"""The file store: relative keys in a directory, the S3 adapter against a small in-memory fake of
boto3's client (boto3/moto are not installed in the test environment), and the migration step that
turns absolute upload paths into keys, so a moved data dir keeps its files."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from core.errors import NotFound, ProviderError
from core.filestore import DirectoryFileStore, FileStore, S3FileStore, create_file_store
from core.metadata.db import Database
from core.metadata.migration import alembic_config
from core.settings import Settings
from tests.conftest import bearer

pytestmark = pytest.mark.unit


class FakeS3Error(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.response = {"Error": {"Code": code}}


class FakeS3:
    """The five boto3 S3 client calls the adapter makes, on a dict; pages of two for listings."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: Any) -> None:
        self.objects[(Bucket, Key)] = Body if isinstance(Body, bytes) else Body.read()

    def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if (Bucket, Key) not in self.objects:
            raise FakeS3Error("NoSuchKey")
        return {"Body": io.BytesIO(self.objects[(Bucket, Key)])}

    def head_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
        if (Bucket, Key) not in self.objects:
            raise FakeS3Error("404")
        return {}

    def delete_object(self, *, Bucket: str, Key: str) -> None:
        self.objects.pop((Bucket, Key), None)

    def list_objects_v2(self, *, Bucket: str, Prefix: str, ContinuationToken: str = "0") -> dict[str, Any]:
        keys = sorted(k for b, k in self.objects if b == Bucket and k.startswith(Prefix))
        start = int(ContinuationToken)
        page = keys[start : start + 2]
        more = start + 2 < len(keys)
        return {"Contents": [{"Key": k} for k in page], "IsTruncated": more, "NextContinuationToken": str(start + 2)}


def _exercise(store: FileStore, tmp_path: Path) -> None:
    source = tmp_path / "upload.tmp"
    source.write_bytes(b"%PDF original bytes")
    store.put_file("uploads/ab/abc.pdf", source)
    assert not source.exists()  # the temporary file is consumed
    assert store.exists("uploads/ab/abc.pdf") and not store.exists("uploads/ab/nope.pdf")
    assert b"".join(store.stream("uploads/ab/abc.pdf")) == b"%PDF original bytes"
    with store.as_local_file("uploads/ab/abc.pdf") as local:
        assert local.read_bytes() == b"%PDF original bytes"
    for version in (1, 2, 3):
        store.put_text(f"texts/doc.v{version}.txt", f"text 版本 {version}")
    store.put_text("texts/other.v1.txt", "other")
    assert store.read_text("texts/doc.v2.txt") == "text 版本 2"
    assert store.keys("texts/doc.v") == ["texts/doc.v1.txt", "texts/doc.v2.txt", "texts/doc.v3.txt"]
    store.delete("texts/doc.v1.txt")
    store.delete("texts/doc.v1.txt")  # absent: no error
    assert store.keys("texts/doc.v") == ["texts/doc.v2.txt", "texts/doc.v3.txt"]
    with pytest.raises(NotFound):
        store.read_text("texts/doc.v1.txt")
    with pytest.raises(ValueError):
        store.read_text("../outside.txt")


def test_directory_store(tmp_path: Path) -> None:
    store = DirectoryFileStore(tmp_path / "root")
    _exercise(store, tmp_path)
    assert (tmp_path / "root" / "uploads" / "ab" / "abc.pdf").exists()
    assert store.local_path("uploads/ab/abc.pdf") == tmp_path / "root" / "uploads" / "ab" / "abc.pdf"


def test_s3_store_against_a_fake_client(tmp_path: Path) -> None:
    fake = FakeS3()
    store = S3FileStore(fake, "bucket", "knowbase/prod/")
    _exercise(store, tmp_path)
    assert ("bucket", "knowbase/prod/uploads/ab/abc.pdf") in fake.objects
    assert store.local_path("uploads/ab/abc.pdf") is None

    class Broken(FakeS3):
        def get_object(self, *, Bucket: str, Key: str) -> dict[str, Any]:
            raise FakeS3Error("AccessDenied")

    with pytest.raises(ProviderError, match="object storage download failed"):
        S3FileStore(Broken(), "bucket").read_text("texts/a.v1.txt")


def test_s3_without_boto3_says_how_to_install_it(tmp_path: Path) -> None:
    try:
        import boto3  # type: ignore[import-not-found, unused-ignore]  # noqa: F401

        pytest.skip("boto3 is installed here")
    except ImportError:
        pass
    with pytest.raises(ProviderError, match=r"knowbase\[s3\]"):
        create_file_store(Settings(data_dir=tmp_path, file_store="s3://bucket/prefix"))


def test_absolute_upload_paths_become_keys_and_a_moved_data_dir_keeps_working(
    settings: Settings, admin_key: str, tmp_path: Path
) -> None:
    configured = settings.model_copy(update={"embedding_provider": "fake"})
    with TestClient(create_app(configured)) as client:
        body = client.post(
            "/v1/documents", files={"file": ("leave.md", b"# Leave\n\nFifteen days.")}, headers=bearer(admin_key)
        ).json()
        document_id = body["document"]["id"]
    db = Database(configured.resolved_database_url)
    with db.engine.begin() as connection:
        key = connection.execute(text("SELECT storage_path FROM documents")).scalar_one()
        assert key.startswith("uploads/") and not Path(key).is_absolute()
        command.downgrade(alembic_config(connection), "0002")
        # What a release before 0006 stored: the absolute path in the old data dir.
        absolute = str((configured.data_dir / key).resolve())
        connection.execute(text("UPDATE documents SET storage_path = :p"), {"p": absolute})
    db.close()

    moved = tmp_path / "moved"
    shutil.move(str(configured.data_dir), moved)  # restored elsewhere from a backup
    restored = configured.model_copy(update={"data_dir": moved})
    db = Database(restored.resolved_database_url)
    with db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
        assert connection.execute(text("SELECT storage_path FROM documents")).scalar_one() == key
    db.close()
    with TestClient(create_app(restored)) as client:
        download = client.get(f"/v1/documents/{document_id}/file", headers=bearer(admin_key))
        assert download.status_code == 200 and download.content == b"# Leave\n\nFifteen days."
