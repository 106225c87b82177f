"""Document operations: submit an upload, list, get, delete, re-index. Access checks included;
callable without HTTP (the REST routes and the CLI both use it)."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.access import readable_collections, require_readable, require_writable
from core.errors import NotFound, ParseError
from core.filestore import FileStore
from core.metadata.lexical_stats import forget_document
from core.metadata.models import Collection, Document, IngestionJob, OpenAIFile, User, VectorStoreFile, utcnow
from core.types import Principal
from ingest.parsers.detect import detect_format
from ingest.pipeline import text_key
from ingest.queue import enqueue
from ingest.schemas import DocumentPage, DocumentPublic, Progress, UploadResult

log = logging.getLogger(__name__)


class DocumentService:
    def __init__(
        self,
        files: FileStore,
        on_queued: Callable[[], None] = lambda: None,
        remove_points: Callable[[str], None] = lambda document_id: None,
    ) -> None:
        self.files = files  # originals under uploads/<2 hex>/<sha256><suffix>
        self._on_queued = on_queued
        self._remove_points = remove_points

    # Writing -----------------------------------------------------------------------------------
    def submit(
        self,
        *,
        session: Session,
        principal: Principal,
        temp_path: Path,
        source_name: str,
        sha256: str,
        size: int,
        collection: str = "default",
        title: str | None = None,
    ) -> UploadResult:
        """Queue an uploaded file (already on disk at ``temp_path``) for ingestion.

        Identical bytes already in the collection are not ingested twice; a file with the name of an
        existing document becomes its next version (the old chunks stay searchable until the new
        ones are stored).

        :raises UnsupportedMediaType: the content is of a kind knowbase does not read (nothing kept).
        """
        target = require_writable(session=session, principal=principal, name=collection)
        source_name = Path(source_name).name or "upload"
        error: str | None = None
        fmt = "unknown"
        try:
            fmt = detect_format(temp_path.read_bytes(), source_name)
        except ParseError as problem:
            error = problem.message  # kept as a failed document, so the person sees why
        except Exception:
            temp_path.unlink(missing_ok=True)
            raise

        duplicate = session.scalar(
            select(Document).where(
                Document.collection_id == target.id, Document.sha256 == sha256, Document.status != "failed"
            )
        )
        if duplicate is not None and error is None:
            temp_path.unlink(missing_ok=True)
            return UploadResult(
                document=self._public(session, duplicate),
                duplicate=True,
                message=f"identical content is already in '{collection}' as '{duplicate.source_name}'; nothing to do",
            )

        stored = self.store_file(temp_path, sha256, source_name)  # a key relative to the store's root
        document = session.scalar(  # a document made from an OpenAI file holds that file's bytes only
            select(Document).where(
                Document.collection_id == target.id,
                Document.source_name == source_name,
                Document.id.not_in(select(VectorStoreFile.document_id)),
            )
        )
        if document is None:
            document = Document(collection_id=target.id, source_name=source_name, title=title or "", version=1)
            session.add(document)
            message = "queued for ingestion"
        else:
            document.version += 1
            document.title = title or document.title
            message = f"queued as version {document.version}; version {document.version - 1} stays searchable until it is ready"
        document.sha256, document.size_bytes, document.storage_path = sha256, size, stored
        document.content_type, document.uploader_id = fmt, principal.user_id
        document.status, document.error = ("failed", error) if error else ("queued", None)
        document.updated_at = utcnow()
        session.flush()
        if error is None:
            enqueue(session, document)
        else:
            session.add(IngestionJob(document_id=document.id, status="failed", error=error, finished_at=utcnow()))
            message = f"failed: {error}"
        session.flush()
        log.info("document submitted", extra={"document_id": document.id, "status": document.status, "format": fmt})
        return UploadResult(document=self._public(session, document), duplicate=False, message=message)

    def after_commit(self) -> None:
        """Call once the submitting transaction has committed, to wake the worker."""
        self._on_queued()

    def reindex(self, *, session: Session, principal: Principal, document_id: str) -> DocumentPublic:
        document = self._get(session, principal, document_id)
        require_writable(session=session, principal=principal, name=self._collection_name(session, document))
        if document.status in ("queued", "parsing", "embedding"):
            return self._public(session, document)
        document.version += 1  # a fresh version: old chunks stay until the new ones are stored
        document.status, document.error = "queued", None
        enqueue(session, document)
        session.flush()
        return self._public(session, document)

    def delete(self, *, session: Session, principal: Principal, document_id: str) -> None:
        document = self._get(session, principal, document_id)
        require_writable(session=session, principal=principal, name=self._collection_name(session, document))
        self.remove(session=session, document=document)

    def remove(self, *, session: Session, document: Document) -> None:
        """Delete a document, its chunks and statistics, and its bytes unless a document or an OpenAI
        file still uses them. No access check: callers have made theirs."""
        storage = document.storage_path
        forget_document(session=session, document_id=document.id)
        session.delete(document)
        session.flush()
        self._remove_points(document.id)
        self.release(session, storage)

    def release(self, session: Session, storage: str) -> None:
        """Delete stored bytes once no document and no OpenAI file uses them any more."""
        documents = session.scalar(select(func.count(Document.id)).where(Document.storage_path == storage))
        files = session.scalar(select(func.count(OpenAIFile.id)).where(OpenAIFile.storage_path == storage))
        if not documents and not files:
            self.files.delete(storage)

    def store_file(self, temp_path: Path, sha256: str, source_name: str) -> str:
        """Keep an upload in the content-addressed store (identical bytes once); returns its key."""
        suffix = Path(source_name).suffix.lower()[:10]
        key = f"uploads/{sha256[:2]}/{sha256}{suffix}"
        self.files.put_file(key, temp_path)
        return key

    # Reading -----------------------------------------------------------------------------------
    def get(self, *, session: Session, principal: Principal, document_id: str) -> DocumentPublic:
        return self._public(session, self._get(session, principal, document_id))

    def file_of(self, *, session: Session, principal: Principal, document_id: str) -> tuple[Path | None, str, str]:
        """The original: its path when the store is a directory (else ``None``), its key and name."""
        document = self._get(session, principal, document_id)
        return self.files.local_path(document.storage_path), document.storage_path, document.source_name

    def stream_file(self, key: str) -> Iterator[bytes]:
        return self.files.stream(key)

    def text_around(
        self,
        *,
        session: Session,
        principal: Principal,
        document_id: str,
        start: int,
        end: int,
        window: int = 600,
    ) -> dict[str, Any]:
        """The extracted text around ``[start, end)``: what a citation panel shows."""
        document = self._get(session, principal, document_id)
        try:
            text = self.files.read_text(text_key(document.id, document.version))
        except NotFound:
            raise NotFound(f"the text of document '{document_id}' is not available yet") from None
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        return {
            "document_id": document.id,
            "title": document.title or Path(document.source_name).stem,
            "source": document.source_name,
            "before": text[max(0, start - window) : start],
            "quote": text[start:end],
            "after": text[end : end + window],
            "start": start,
            "end": end,
            "length": len(text),
        }

    def list(
        self,
        *,
        session: Session,
        principal: Principal,
        collection: str | None = None,
        status: str | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> DocumentPage:
        readable = readable_collections(session=session, principal=principal)
        if collection is not None:
            readable = {collection: require_readable(session=session, principal=principal, name=collection)}
        conditions: list[ColumnElement[bool]] = [Document.collection_id.in_(list(readable.values()))]
        if status:
            conditions.append(Document.status == status)
        if query:
            pattern = f"%{query.strip()}%"
            conditions.append(Document.title.ilike(pattern) | Document.source_name.ilike(pattern))
        total = session.scalar(select(func.count(Document.id)).where(*conditions)) or 0
        rows = session.scalars(
            select(Document)
            .where(*conditions)
            .order_by(Document.created_at.desc(), Document.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return DocumentPage(items=self._public_many(session, rows), total=total, limit=limit, offset=offset)

    def _get(self, session: Session, principal: Principal, document_id: str) -> Document:
        document = session.get(Document, document_id)
        readable = readable_collections(session=session, principal=principal)
        if document is None or document.collection_id not in readable.values():
            raise NotFound(f"document '{document_id}' does not exist")  # same answer: no existence leak
        return document

    @staticmethod
    def _collection_name(session: Session, document: Document) -> str:
        return session.scalar(select(Collection.name).where(Collection.id == document.collection_id)) or ""

    def _public(self, session: Session, document: Document) -> DocumentPublic:
        return self._public_many(session, [document])[0]

    def _public_many(self, session: Session, documents: Sequence[Document]) -> builtins.list[DocumentPublic]:
        """Three queries for any number of documents (latest jobs, uploaders, collection names)."""
        latest_job: dict[str, IngestionJob] = {}
        jobs = select(IngestionJob).where(IngestionJob.document_id.in_([d.id for d in documents]))
        for job in session.scalars(jobs.order_by(IngestionJob.created_at)):
            latest_job[job.document_id] = job  # ascending: the newest job wins
        uploader_ids = {d.uploader_id for d in documents if d.uploader_id}
        uploaders = (
            dict(session.execute(select(User.id, User.name).where(User.id.in_(uploader_ids))).all())
            if uploader_ids
            else {}
        )
        collection_ids = {d.collection_id for d in documents}
        names = dict(
            session.execute(select(Collection.id, Collection.name).where(Collection.id.in_(collection_ids))).all()
        )
        return [
            self._to_public(d, latest_job.get(d.id), uploaders.get(d.uploader_id or ""), names.get(d.collection_id, ""))
            for d in documents
        ]

    @staticmethod
    def _to_public(
        document: Document, job: IngestionJob | None, uploader: str | None, collection: str
    ) -> DocumentPublic:
        done = job.progress_done if job else 0
        total = job.progress_total if job else 0
        if document.status == "ready":
            done = total = document.chunk_count
        return DocumentPublic(
            id=document.id,
            collection=collection,
            title=document.title or Path(document.source_name).stem,
            source=document.source_name,
            format=document.content_type,
            size_bytes=document.size_bytes,
            sha256=document.sha256,
            status=document.status,
            error=document.error,
            progress=Progress(done=done, total=total),
            pages=document.pages,
            chunks=document.chunk_count,
            tokens=document.token_count,
            version=document.version,
            uploader=uploader,
            created_at=document.created_at,
            updated_at=document.updated_at,
        )
