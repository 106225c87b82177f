"""The files in a vector store (batches: ``batches.py``). Each file added to a store becomes a document of
its collection (ingested by the ordinary worker, with the file's attributes and chunking); documents
uploaded through knowbase's own API appear too, as ``file-<document id>``.

Status: queued/parsing/embedding → ``in_progress``, ready → ``completed``, failed → ``failed`` with
``last_error.code`` ``unsupported_file`` (a format knowbase does not read), ``server_error`` (the
embedder, the store or knowbase failed) or ``invalid_file`` (the file could not be read), and a
cancelled addition → ``cancelled``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.access import can_write, readable_collections
from core.errors import NotFound, PermissionDenied
from core.metadata.models import (
    Collection,
    Document,
    IngestionJob,
    OpenAIFile,
    VectorStoreFile,
    VectorStoreSettings,
    utcnow,
)
from core.metadata.openai_ids import FILE_PREFIX, collection_id_of, raw_file_id, vector_store_id
from core.types import Principal, Role
from core.vectorstore.base import StoreFilter, VectorStore
from ingest.chunking import parse_chunking_strategy, strategy_object
from ingest.openai.files import UNSUPPORTED, FileService
from ingest.openai.pages import Order, cursor_page, list_object, timestamp, validate_attributes
from ingest.pipeline import text_key
from ingest.queue import RUNNING, enqueue
from ingest.service import DocumentService

STATUSES = ("in_progress", "completed", "failed", "cancelled")
CANCELLED = "cancelled by the caller"
_UNSUPPORTED_FAILURE = "unsupported file type"  # UnsupportedMediaType's words (ingest/parsers/detect.py)
# The worker's words for failures that are not the file's fault (ingest/jobs.py, ingest/queue.py).
_SERVER_FAILURES = ("embedding or storage failed", "internal error", "ingestion was interrupted", "superseded")


@dataclass(frozen=True)
class Entry:
    """A document of a store's collection, with the file it came from (if it came from one)."""

    document: Document
    link: VectorStoreFile | None

    @property
    def file_id(self) -> str:
        return FILE_PREFIX + (self.link.file_id if self.link else self.document.id)

    @property
    def created_at(self) -> Any:
        return self.link.created_at if self.link else self.document.created_at

    @property
    def status(self) -> str:
        if self.link is not None and self.link.cancelled:
            return "cancelled"
        return {"ready": "completed", "failed": "failed"}.get(self.document.status, "in_progress")

    @property
    def last_error(self) -> dict[str, str] | None:
        if self.status != "failed":
            return None
        reason = self.document.error or "ingestion failed"
        if self.document.content_type == UNSUPPORTED or reason.startswith(_UNSUPPORTED_FAILURE):
            code = "unsupported_file"
        elif reason.startswith(_SERVER_FAILURES):
            code = "server_error"
        else:
            code = "invalid_file"
        return {"code": code, "message": reason}


def store_collection(session: Session, principal: Principal, vs_id: str, *, write: bool = False) -> Collection:
    """The collection behind a vector store id the caller may read (and write, if asked).

    :raises NotFound: no such store, or the caller may not read it (one answer: nothing leaks).
    :raises PermissionDenied: ``write`` and the caller may read but not change it."""
    collection_id = collection_id_of(vs_id)
    if (
        collection_id is None
        or collection_id not in readable_collections(session=session, principal=principal).values()
    ):
        raise NotFound(f"No such vector store: {vs_id}", details={"param": "vector_store_id"})
    collection = session.get(Collection, collection_id)
    assert collection is not None
    if write and not can_write(session=session, principal=principal, collection=collection):
        if principal.role is Role.reader:
            raise PermissionDenied("readers cannot change vector stores; ask an admin for an editor key")
        raise PermissionDenied(f"you may read but not change vector store {vs_id}")
    return collection


def store_entries(session: Session, collection_id: str, batch_id: str | None = None) -> list[Entry]:
    query = (
        select(Document, VectorStoreFile)
        .outerjoin(VectorStoreFile, VectorStoreFile.document_id == Document.id)
        .where(Document.collection_id == collection_id)
    )
    if batch_id is not None:
        query = query.where(VectorStoreFile.batch_id == batch_id)
    return [Entry(document, link) for document, link in session.execute(query).all()]


def file_counts(entries: Sequence[Entry]) -> dict[str, int]:
    counts = dict.fromkeys(STATUSES, 0)
    for entry in entries:
        counts[entry.status] += 1
    return {**counts, "total": len(entries)}


def touch(session: Session, collection: Collection) -> None:
    """A store's ``last_active_at`` (its expiry counts from it)."""
    settings = session.get(VectorStoreSettings, collection.id)
    if settings is None:
        settings = VectorStoreSettings(collection_id=collection.id, name=collection.name)
        session.add(settings)
    settings.last_active_at = utcnow()


class StoreFileService:
    def __init__(
        self,
        *,
        files: FileService,
        documents: DocumentService,
        vector_store: Callable[[], VectorStore],
        default_chunking: tuple[int, int],
    ) -> None:
        self.files, self.documents = files, documents
        self._vector_store = vector_store
        self.default_chunking = default_chunking

    def file_object(self, entry: Entry) -> dict[str, Any]:
        document = entry.document
        return {
            "id": entry.file_id,
            "object": "vector_store.file",
            "created_at": timestamp(entry.created_at),
            "vector_store_id": vector_store_id(document.collection_id),
            "usage_bytes": document.size_bytes if entry.status == "completed" else 0,
            "status": entry.status,
            "last_error": entry.last_error,
            "attributes": document.attributes,
            "chunking_strategy": strategy_object(document.chunking, self.default_chunking),
        }

    # Adding --------------------------------------------------------------------------------------
    def add(
        self,
        *,
        session: Session,
        principal: Principal,
        collection: Collection,
        file_id: str,
        attributes: Any = None,
        chunking_strategy: Any = None,
        batch_id: str | None = None,
    ) -> Entry:
        """Add the caller's file to a store they may write (checked by the caller); a file already
        in the store is returned as it is. Call ``documents.after_commit()`` once committed."""
        row = self.files.get(session=session, principal=principal, file_id=file_id)
        attrs = validate_attributes(attributes)
        chunking = parse_chunking_strategy(chunking_strategy)
        link = session.scalar(
            select(VectorStoreFile).where(
                VectorStoreFile.collection_id == collection.id, VectorStoreFile.file_id == row.id
            )
        )
        if link is not None:
            document = session.get(Document, link.document_id)
            assert document is not None
            return Entry(document, link)
        document = self._document_of(row, collection, principal, attrs, chunking)
        session.add(document)
        session.flush()
        if row.error:
            session.add(IngestionJob(document_id=document.id, status="failed", error=row.error, finished_at=utcnow()))
        else:
            enqueue(session, document)
        link = VectorStoreFile(collection_id=collection.id, file_id=row.id, document_id=document.id, batch_id=batch_id)
        session.add(link)
        touch(session, collection)
        session.flush()
        return Entry(document, link)

    @staticmethod
    def _document_of(
        row: OpenAIFile,
        collection: Collection,
        principal: Principal,
        attributes: dict[str, Any] | None,
        chunking: dict[str, int] | None,
    ) -> Document:
        failed = row.error is not None
        return Document(
            collection_id=collection.id,
            title="",
            source_name=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            storage_path=row.storage_path,
            status="failed" if failed else "queued",
            error=row.error,
            version=1,
            uploader_id=principal.user_id,
            attributes=attributes,
            chunking=chunking,
        )

    # Reading -------------------------------------------------------------------------------------
    def entry(self, session: Session, collection: Collection, file_id: str) -> Entry:
        """:raises NotFound: the file is not in this store."""
        raw = raw_file_id(file_id)
        if raw is not None:
            link = session.scalar(
                select(VectorStoreFile).where(
                    VectorStoreFile.collection_id == collection.id, VectorStoreFile.file_id == raw
                )
            )
            if link is not None:
                document = session.get(Document, link.document_id)
                if document is not None:
                    return Entry(document, link)
            document = session.get(Document, raw)
            if document is not None and document.collection_id == collection.id:
                linked = session.scalar(select(VectorStoreFile).where(VectorStoreFile.document_id == document.id))
                if linked is None:  # a document of the file API answers to its file's id only
                    return Entry(document, None)
        raise NotFound(
            f"No file with id '{file_id}' in vector store {vector_store_id(collection.id)}",
            details={"param": "file_id"},
        )

    def list_files(
        self,
        *,
        session: Session,
        collection: Collection,
        batch_id: str | None = None,
        status: str | None,
        after: str | None,
        before: str | None,
        limit: int,
        order: Order,
    ) -> dict[str, Any]:
        entries = [e for e in store_entries(session, collection.id, batch_id) if status is None or e.status == status]
        page, more = cursor_page(
            entries,
            key=lambda e: (e.created_at, e.file_id),
            ident=lambda e: e.file_id,
            after=after,
            before=before,
            limit=limit,
            order=order,
        )
        return list_object([self.file_object(e) for e in page], more)

    def content(self, entry: Entry) -> dict[str, Any]:
        """The file's extracted text (what its chunks were cut from); empty until it is ingested."""
        document = entry.document
        text = ""
        if entry.status == "completed":
            try:
                text = self.documents.files.read_text(text_key(document.id, document.version))
            except NotFound:
                text = ""  # published, but its text is gone (removed by hand): the chunks still stand
        data = [{"type": "text", "text": text}] if text else []
        return {"object": "vector_store.file_content.page", "data": data, "has_more": False, "next_page": None}

    # Changing ------------------------------------------------------------------------------------
    def update_attributes(self, *, session: Session, entry: Entry, attributes: Any) -> Entry:
        """New attributes in the database and, at once, on every stored chunk of the file."""
        attrs = validate_attributes(attributes)
        entry.document.attributes = attrs
        session.flush()
        self._vector_store().set_payload(StoreFilter(document_ids=[entry.document.id]), {"attributes": attrs or {}})
        return entry

    def remove(self, *, session: Session, entry: Entry) -> dict[str, Any]:
        """Take the file out of the store (its chunks go; the File itself stays)."""
        if entry.link is not None:
            session.delete(entry.link)
            session.flush()
        self.documents.remove(session=session, document=entry.document)
        return {"id": entry.file_id, "object": "vector_store.file.deleted", "deleted": True}

    def cancel(self, session: Session, entry: Entry) -> None:
        """Stop an addition still in progress: its job ends failed (a worker running it loses its lease
        and stops; a new version number keeps anything it finishes from being published), and the
        document stays failed and empty."""
        if entry.status != "in_progress" or entry.link is None:
            return
        document = entry.document
        entry.link.cancelled = True
        document.version += 1
        document.status, document.error = "failed", CANCELLED
        session.execute(  # a running job's worker loses its lease and stops
            update(IngestionJob)
            .where(IngestionJob.document_id == document.id, IngestionJob.status.in_(("queued", *RUNNING)))
            .values(status="failed", error=CANCELLED, finished_at=utcnow(), owner=None, lease_expires_at=None)
        )
        session.flush()
