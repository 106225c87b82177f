"""OpenAI's request rules checked without a server (cursor pages, attributes, metadata, chunking),
and expired files going with the documents they became."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from core.errors import BadRequest, NotFound
from core.filestore import DirectoryFileStore
from core.metadata.db import Database
from core.metadata.models import Collection, Document, OpenAIFile, User, VectorStoreFile, utcnow
from core.types import Principal, Role
from ingest.chunking import chunking_of, parse_chunking_strategy, strategy_object
from ingest.openai.files import FileService
from ingest.openai.pages import cursor_page, validate_attributes, validate_metadata
from ingest.openai.store_files import Entry
from ingest.service import DocumentService

pytestmark = pytest.mark.unit
ITEMS = [(n, f"id{n}") for n in range(5)]


def page(**kwargs: object) -> tuple[list[str], bool]:
    options: dict[str, object] = {"after": None, "before": None, "limit": 2, "order": "asc", **kwargs}
    items, more = cursor_page(ITEMS, key=lambda i: (i[0],), ident=lambda i: i[1], **options)  # type: ignore[arg-type]
    return [i[1] for i in items], more


def test_cursor_pages_follow_order_and_cursors() -> None:
    assert page() == (["id0", "id1"], True)
    assert page(after="id1") == (["id2", "id3"], True)
    assert page(after="id3") == (["id4"], False)
    assert page(order="desc") == (["id4", "id3"], True)
    assert page(order="desc", after="id1") == (["id0"], False)
    assert page(before="id3") == (["id1", "id2"], True)
    assert page(after="id0", before="id2") == (["id1"], False)
    with pytest.raises(BadRequest) as unknown:
        page(after="nope")
    assert unknown.value.details == {"param": "after"}


def test_attributes_follow_openai_limits() -> None:
    assert validate_attributes({"team": "blue", "year": 2026, "score": 0.5, "public": True}) == {
        "team": "blue",
        "year": 2026,
        "score": 0.5,
        "public": True,
    }
    assert validate_attributes(None) is None
    for bad in (
        {f"k{n}": n for n in range(17)},
        {"k" * 65: 1},
        {"": 1},
        {"k": "x" * 513},
        {"k": [1, 2]},
        {"k": None},
        {"k": float("nan")},
        ["not", "a", "map"],
    ):
        with pytest.raises(BadRequest) as refused:
            validate_attributes(bad)
        assert refused.value.status_code == 400 and refused.value.details == {"param": "attributes"}
    assert validate_metadata({"owner": "ops"}) == {"owner": "ops"}
    with pytest.raises(BadRequest):
        validate_metadata({"n": 1})


def test_chunking_strategies() -> None:
    assert parse_chunking_strategy(None) is None and parse_chunking_strategy({"type": "auto"}) is None
    static = {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 100}}
    stored = parse_chunking_strategy(static)
    assert stored == {"max_tokens": 200, "overlap_tokens": 100} and chunking_of(stored) == (200, 100)
    assert strategy_object(stored, (350, 50))["static"] == {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 100}
    assert strategy_object(None, (350, 50)) == {
        "type": "static",
        "static": {"max_chunk_size_tokens": 350, "chunk_overlap_tokens": 50},
    }
    for bad in (
        {"type": "other"},
        {"type": "static"},
        {"type": "static", "static": {"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0}},
        {"type": "static", "static": {"max_chunk_size_tokens": 4097, "chunk_overlap_tokens": 0}},
        {"type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 101}},
        {"type": "static", "static": {"max_chunk_size_tokens": "200", "chunk_overlap_tokens": 0}},
    ):
        with pytest.raises(BadRequest):
            parse_chunking_strategy(bad)


def test_expired_files_disappear_and_take_their_documents(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'kb.db'}")
    db.migrate()
    store = DirectoryFileStore(tmp_path / "files")
    removed: list[str] = []
    documents = DocumentService(store, remove_points=removed.append)
    files = FileService(documents)
    now = utcnow()
    with db.session() as session:
        owner = User(name="erin", role="editor")
        collection = Collection(name="c")
        session.add_all([owner, collection])
        session.flush()
        erin = Principal(user_id=owner.id, name="erin", role=Role.editor)
        (tmp_path / "a.txt").write_text("Some text to keep.")
        key = documents.store_file(tmp_path / "a.txt", "ab" * 32, "a.txt")
        for name, expires in (("old", now - timedelta(seconds=1)), ("new", now + timedelta(hours=1))):
            row = OpenAIFile(
                id=name * 8,
                owner_id=owner.id,
                filename=f"{name}.txt",
                purpose="assistants",
                size_bytes=18,
                sha256="ab" * 32,
                storage_path=key,
                expires_at=expires,
            )
            session.add(row)
        session.flush()
        document = Document(
            collection_id=collection.id, title="", source_name="old.txt", sha256="ab" * 32, storage_path=key
        )
        session.add(document)
        session.flush()
        session.add(VectorStoreFile(collection_id=collection.id, file_id="old" * 8, document_id=document.id))
    with db.session() as session:
        listed = files.list(session=session, principal=erin, after=None, limit=10, order="asc", purpose=None)
        assert [f["id"] for f in listed["data"]] == ["file-" + "new" * 8]
        with pytest.raises(NotFound):
            files.get(session=session, principal=erin, file_id="file-" + "old" * 8)
        assert files.delete_expired(session) == 1
    with db.session() as session:
        assert session.get(OpenAIFile, "old" * 8) is None and session.get(OpenAIFile, "new" * 8) is not None
        assert session.get(Document, document.id) is None and removed == [document.id]
    assert store.exists(key)  # the other file still uses the bytes


@pytest.mark.parametrize(
    ("status", "content_type", "error", "expected"),
    [
        ("queued", "markdown", None, ("in_progress", None)),
        ("embedding", "pdf", None, ("in_progress", None)),
        ("ready", "pdf", None, ("completed", None)),
        ("failed", "unsupported", "unsupported file type: this is an image", ("failed", "unsupported_file")),
        ("failed", "pdf", "unsupported file type: a ZIP archive", ("failed", "unsupported_file")),
        ("failed", "unknown", "the file is empty", ("failed", "invalid_file")),
        ("failed", "pdf", "the PDF has no text layer (scanned?)", ("failed", "invalid_file")),
        ("failed", "pdf", "embedding or storage failed: timeout", ("failed", "server_error")),
        ("failed", "pdf", "internal error while ingesting (KeyError); see the server log", ("failed", "server_error")),
        (
            "failed",
            "pdf",
            "ingestion was interrupted 3 times; re-index the document to try again",
            ("failed", "server_error"),
        ),
    ],
)
def test_statuses_and_error_codes_follow_ingestion(
    status: str, content_type: str, error: str | None, expected: tuple[str, str | None]
) -> None:
    document = Document(status=status, content_type=content_type, error=error)
    entry = Entry(document, None)
    code = entry.last_error["code"] if entry.last_error else None
    assert (entry.status, code) == expected
    if entry.last_error:
        assert entry.last_error["message"] == error
    cancelled = Entry(document, VectorStoreFile(cancelled=True))
    assert cancelled.status == "cancelled" and cancelled.last_error is None
