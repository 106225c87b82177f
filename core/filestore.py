"""Where original files and extracted texts live, addressed by keys relative to the store's root
(``uploads/ab/<sha256>.pdf``, ``texts/<document>.v3.txt``), never by absolute paths: a data dir that
is moved or restored from a backup keeps working, and a worker on another host reads the same keys.

Two stores: a directory (the data dir by default; a shared volume when API and workers run on
several hosts), or S3-compatible object storage through boto3 (the optional extra ``s3``).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from core.errors import NotFound, ProviderError
from core.settings import Settings

STREAM_BLOCK = 1024 * 1024


class FileStore(Protocol):
    def put_file(self, key: str, source: Path) -> None:
        """Store ``source`` under ``key`` and remove ``source`` (it is a temporary file)."""

    def put_text(self, key: str, text: str) -> None: ...

    def read_text(self, key: str) -> str:
        """:raises NotFound: nothing is stored under ``key``."""

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""

    def keys(self, prefix: str) -> list[str]: ...

    def local_path(self, key: str) -> Path | None:
        """The file itself when the store is a directory (served as is), else ``None``."""

    def stream(self, key: str) -> Iterator[bytes]: ...

    def as_local_file(self, key: str) -> AbstractContextManager[Path]:
        """A path the parser process can read: the file itself, or a temporary download."""


def _checked(key: str) -> str:
    """Keys are relative and stay inside the root; legacy absolute paths are read as they are."""
    if not key or ".." in PurePosixPath(key).parts:
        raise ValueError(f"invalid file store key {key!r}")
    return key


class DirectoryFileStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        # Absolute: written by a release before relative keys and outside the old uploads layout.
        return Path(key) if Path(key).is_absolute() else self.root / _checked(key)

    def put_file(self, key: str, source: Path) -> None:
        destination = self._path(key)
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.exists():  # keys of originals are content hashes: same key, same bytes
            source.unlink(missing_ok=True)
        else:
            shutil.move(str(source), destination)

    def put_text(self, key: str, text: str) -> None:
        destination = self._path(key)
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(destination)  # readers never see half a text

    def read_text(self, key: str) -> str:
        try:
            return self._path(key).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFound(f"{key} is not in the file store") from None

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        folder, _, start = prefix.rpartition("/")
        directory = self.root / folder if folder else self.root
        if not directory.is_dir():
            return []
        return sorted(
            f"{folder}/{p.name}" if folder else p.name
            for p in directory.iterdir()
            if p.is_file() and p.name.startswith(start)
        )

    def local_path(self, key: str) -> Path | None:
        path = self._path(key)
        return path if path.exists() else None

    def stream(self, key: str) -> Iterator[bytes]:
        path = self.local_path(key)
        if path is None:
            raise NotFound(f"{key} is not in the file store")
        with path.open("rb") as handle:
            while block := handle.read(STREAM_BLOCK):
                yield block

    @contextmanager
    def as_local_file(self, key: str) -> Iterator[Path]:
        path = self.local_path(key)
        if path is None:
            raise NotFound(f"{key} is not in the file store")
        yield path


class S3FileStore:
    """Any S3-compatible service (AWS, MinIO, Ceph, R2) through a boto3 client."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self._client, self._bucket = client, bucket
        self._prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _name(self, key: str) -> str:
        return self._prefix + _checked(key).lstrip("/")

    def _call(self, what: str, fn: Any, **kwargs: Any) -> Any:
        try:
            return fn(Bucket=self._bucket, **kwargs)
        except Exception as error:
            if _is_missing(error):
                raise NotFound(f"{kwargs.get('Key', what)} is not in the file store") from None
            raise ProviderError(f"object storage {what} failed: {error}") from error

    def put_file(self, key: str, source: Path) -> None:
        with source.open("rb") as body:
            self._call("upload", self._client.put_object, Key=self._name(key), Body=body)
        source.unlink(missing_ok=True)

    def put_text(self, key: str, text: str) -> None:
        self._call("upload", self._client.put_object, Key=self._name(key), Body=text.encode("utf-8"))

    def read_text(self, key: str) -> str:
        body = self._call("download", self._client.get_object, Key=self._name(key))["Body"]
        return str(body.read().decode("utf-8"))

    def exists(self, key: str) -> bool:
        try:
            self._call("lookup", self._client.head_object, Key=self._name(key))
        except NotFound:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("deletion", self._client.delete_object, Key=self._name(key))

    def keys(self, prefix: str) -> list[str]:
        found: list[str] = []
        token: dict[str, str] = {}
        while True:
            page = self._call("listing", self._client.list_objects_v2, Prefix=self._name(prefix), **token)
            found.extend(item["Key"][len(self._prefix) :] for item in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return sorted(found)
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def local_path(self, key: str) -> Path | None:
        return None

    def stream(self, key: str) -> Iterator[bytes]:
        body = self._call("download", self._client.get_object, Key=self._name(key))["Body"]
        while block := body.read(STREAM_BLOCK):
            yield block

    @contextmanager
    def as_local_file(self, key: str) -> Iterator[Path]:
        with tempfile.TemporaryDirectory(prefix="knowbase-") as folder:
            path = Path(folder) / PurePosixPath(key).name
            with path.open("wb") as out:
                for block in self.stream(key):
                    out.write(block)
            yield path


def _is_missing(error: Exception) -> bool:
    response = getattr(error, "response", None)
    code = str(response.get("Error", {}).get("Code", "")) if isinstance(response, dict) else ""
    return code in ("404", "NoSuchKey", "NotFound")


def create_file_store(settings: Settings) -> FileStore:
    """The directory store (``KNOWBASE_FILE_STORE`` or the data dir), or S3 for ``s3://bucket/prefix``."""
    location = settings.file_store
    if not location.startswith("s3://"):
        return DirectoryFileStore(Path(location) if location else settings.data_dir)
    try:
        import boto3  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise ProviderError("KNOWBASE_FILE_STORE=s3://… needs boto3: pip install 'knowbase[s3]'") from None
    bucket, _, prefix = location.removeprefix("s3://").partition("/")
    secret = settings.s3_secret_access_key.get_secret_value() if settings.s3_secret_access_key else None
    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region or None,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=secret,
    )
    return S3FileStore(client, bucket, prefix)
