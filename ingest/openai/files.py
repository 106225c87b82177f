"""OpenAI's Files API. A file is stored once (content-addressed, beside knowbase's uploads) and
belongs to its uploader: only they and admins see it; anyone else gets 404, as for a file that does
not exist. Adding it to vector stores makes documents of it; deleting it removes those too, so no
chunk stays searchable under a deleted file's id. Expired files are deleted by ``delete_expired``
(the routes call it on every Files or vector-store request) and are 404 from the moment they expire."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.access import readable_collections
from core.errors import BadRequest, NotFound, ParseError, UnsupportedMediaType
from core.metadata.models import Document, OpenAIFile, VectorStoreFile, utcnow
from core.metadata.openai_ids import FILE_PREFIX, file_id_of_document, raw_file_id
from core.types import Principal
from ingest.openai.pages import Order, cursor_page, list_object, timestamp
from ingest.parsers.detect import detect_format
from ingest.service import DocumentService

PURPOSES = ("assistants", "batch", "fine-tune", "vision", "user_data", "evals")
UNSUPPORTED = "unsupported"  # the detected format of a kind knowbase does not read
EXPIRES_MIN_S, EXPIRES_MAX_S = 3600, 2_592_000  # one hour to thirty days, as OpenAI


def file_object(row: OpenAIFile) -> dict[str, Any]:
    return {
        "id": FILE_PREFIX + row.id,
        "object": "file",
        "bytes": row.size_bytes,
        "created_at": timestamp(row.created_at),
        "filename": row.filename,
        "purpose": row.purpose,
        "status": "error" if row.error else "processed",
        "status_details": row.error,
        "expires_at": timestamp(row.expires_at),
    }


def document_file_object(document: Document) -> dict[str, Any]:
    """A document uploaded through knowbase's own API, as a file."""
    failed = document.status == "failed"
    return {
        "id": file_id_of_document(document.id),
        "object": "file",
        "bytes": document.size_bytes,
        "created_at": timestamp(document.created_at),
        "filename": document.source_name,
        "purpose": "assistants",
        "status": "error" if failed else "processed",
        "status_details": document.error if failed else None,
        "expires_at": None,
    }


def expires_after_seconds(anchor: str | None, seconds: int | None) -> int | None:
    """``expires_after[anchor]`` / ``expires_after[seconds]`` of the upload form, checked."""
    if anchor is None and seconds is None:
        return None
    if anchor != "created_at":
        raise BadRequest("expires_after.anchor must be 'created_at'", details={"param": "expires_after.anchor"})
    if seconds is None or not EXPIRES_MIN_S <= seconds <= EXPIRES_MAX_S:
        raise BadRequest(
            f"expires_after.seconds must be from {EXPIRES_MIN_S} to {EXPIRES_MAX_S}",
            details={"param": "expires_after.seconds"},
        )
    return seconds


class FileService:
    def __init__(self, documents: DocumentService) -> None:
        self.documents = documents  # its file store keeps the bytes, shared with documents

    def create(
        self,
        *,
        session: Session,
        principal: Principal,
        temp_path: Path,
        filename: str,
        sha256: str,
        size: int,
        purpose: str,
        expires_after_s: int | None = None,
    ) -> dict[str, Any]:
        """Keep an uploaded file (already on disk at ``temp_path``).

        :raises UnsupportedMediaType: an ``assistants`` file of a kind knowbase does not read. Other
            purposes keep any bytes; unreadable ones get status ``error`` and fail when added to a store.
        """
        if purpose not in PURPOSES:
            raise BadRequest(f"purpose must be one of {', '.join(PURPOSES)}", details={"param": "purpose"})
        filename = Path(filename).name or "upload"
        error, fmt = None, "unknown"
        try:
            fmt = detect_format(temp_path.read_bytes(), filename)
        except ParseError as problem:  # empty or damaged: kept, as /v1/documents keeps it, failed
            error = problem.message
        except UnsupportedMediaType as problem:
            if purpose == "assistants":  # meant for file_search: refused (415) as /v1/documents does
                raise
            error, fmt = problem.message, UNSUPPORTED
        stored = self.documents.store_file(temp_path, sha256, filename)
        now = utcnow()
        row = OpenAIFile(
            owner_id=principal.user_id,
            filename=filename,
            purpose=purpose,
            size_bytes=size,
            sha256=sha256,
            storage_path=stored,
            content_type=fmt,
            error=error,
            created_at=now,
            expires_at=now + timedelta(seconds=expires_after_s) if expires_after_s else None,
        )
        session.add(row)
        session.flush()
        return file_object(row)

    def list(
        self,
        *,
        session: Session,
        principal: Principal,
        after: str | None,
        limit: int,
        order: Order,
        purpose: str | None,
    ) -> dict[str, Any]:
        query = select(OpenAIFile).where(or_(OpenAIFile.expires_at.is_(None), OpenAIFile.expires_at > utcnow()))
        if not principal.is_admin:
            query = query.where(OpenAIFile.owner_id == principal.user_id)
        if purpose:
            query = query.where(OpenAIFile.purpose == purpose)
        rows = list(session.scalars(query))
        page, more = cursor_page(
            rows,
            key=lambda r: (r.created_at, r.id),
            ident=lambda r: FILE_PREFIX + r.id,
            after=after,
            before=None,
            limit=limit,
            order=order,
        )
        return list_object([file_object(r) for r in page], more)

    def get(self, *, session: Session, principal: Principal, file_id: str) -> OpenAIFile:
        """The caller's file (any file for an admin).

        :raises NotFound: no such file, not theirs, or expired (one answer: nothing leaks)."""
        raw = raw_file_id(file_id)
        row = session.get(OpenAIFile, raw) if raw else None
        if row is None or (not principal.is_admin and row.owner_id != principal.user_id) or _expired(row):
            raise NotFound(f"No such File object: {file_id}", details={"param": "file_id"})
        return row

    def resolve(self, *, session: Session, principal: Principal, file_id: str) -> OpenAIFile | Document:
        """The caller's file, or else a document they may read that came from no file: citations and
        store listings name such documents ``file-<document id>``, so clients look them up here.

        :raises NotFound: neither (one answer: nothing leaks)."""
        try:
            return self.get(session=session, principal=principal, file_id=file_id)
        except NotFound:
            raw = raw_file_id(file_id)
            document = session.get(Document, raw) if raw else None
            readable = readable_collections(session=session, principal=principal).values()
            from_file = session.scalar(select(VectorStoreFile.id).where(VectorStoreFile.document_id == raw))
            if document is None or document.collection_id not in readable or from_file is not None:
                raise
            return document

    def retrieve(self, *, session: Session, principal: Principal, file_id: str) -> dict[str, Any]:
        found = self.resolve(session=session, principal=principal, file_id=file_id)
        return file_object(found) if isinstance(found, OpenAIFile) else document_file_object(found)

    def content(self, *, session: Session, principal: Principal, file_id: str) -> tuple[str, str]:
        """The stored bytes' key and the file name."""
        found = self.resolve(session=session, principal=principal, file_id=file_id)
        return found.storage_path, found.filename if isinstance(found, OpenAIFile) else found.source_name

    def delete(self, *, session: Session, principal: Principal, file_id: str) -> dict[str, Any]:
        """A file, or a document named as one (which needs write access to its collection)."""
        found = self.resolve(session=session, principal=principal, file_id=file_id)
        if isinstance(found, OpenAIFile):
            self._delete(session, found)
        else:
            self.documents.delete(session=session, principal=principal, document_id=found.id)
        return {"id": file_id, "object": "file", "deleted": True}

    def delete_expired(self, session: Session) -> int:
        expired = list(session.scalars(select(OpenAIFile).where(OpenAIFile.expires_at < utcnow())))
        for row in expired:
            self._delete(session, row)
        return len(expired)

    def _delete(self, session: Session, row: OpenAIFile) -> None:
        """The file, the documents it became in vector stores, and its bytes if nothing else uses them."""
        document_ids = session.scalars(select(VectorStoreFile.document_id).where(VectorStoreFile.file_id == row.id))
        for document in session.scalars(select(Document).where(Document.id.in_(list(document_ids)))):
            self.documents.remove(session=session, document=document)
        storage = row.storage_path
        session.delete(row)
        session.flush()
        self.documents.release(session, storage)


def _expired(row: OpenAIFile) -> bool:
    if row.expires_at is None:
        return False
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=utcnow().tzinfo)
    return expires <= utcnow()
