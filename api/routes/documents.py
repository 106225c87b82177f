"""Document upload and management. Writes need write access to the collection."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import DatabaseDep, DocumentServiceDep, PrincipalDep, SettingsDep, VectorStoreDep
from api.pagination import Limit, Offset
from api.upload_limit import too_large
from core.errors import InvalidInput
from core.metadata.db import Database
from core.metadata.models import IngestionJob
from core.settings import Settings
from core.types import NAME_MAX_CHARS, TITLE_MAX_CHARS, Principal
from core.vectorstore import StoreFilter
from ingest.schemas import DocumentPage, DocumentPublic, UploadResult
from ingest.service import DocumentService

router = APIRouter(prefix="/v1/documents", tags=["documents"])
_COPY_CHUNK = 1024 * 1024
FILE_NAME_MAX_CHARS = 255  # what file systems allow
MAX_TEXT_OFFSET = 1_000_000_000  # character offsets into extracted text (KNOWBASE_MAX_EXTRACTED_CHARS is far less)


def _save_upload(upload: UploadFile, tmp_dir: Path, limit: int) -> tuple[Path, str, int]:
    tmp_dir.mkdir(parents=True, exist_ok=True)
    path = tmp_dir / uuid.uuid4().hex
    digest, size = hashlib.sha256(), 0
    upload.file.seek(0)
    with path.open("wb") as out:
        while block := upload.file.read(_COPY_CHUNK):
            size += len(block)
            if size > limit:
                out.close()
                path.unlink(missing_ok=True)
                raise too_large(limit)
            digest.update(block)
            out.write(block)
    return path, digest.hexdigest(), size


def _submit(
    settings: Settings,
    db: Database,
    documents: DocumentService,
    principal: Principal,
    upload: UploadFile,
    collection: str,
    title: str | None,
) -> UploadResult:
    name = upload.filename or "upload"
    if len(name) > FILE_NAME_MAX_CHARS:
        raise InvalidInput(
            f"the file name is longer than {FILE_NAME_MAX_CHARS} characters; rename the file",
            details={"max_chars": FILE_NAME_MAX_CHARS, "chars": len(name)},
        )
    temp_path, sha256, size = _save_upload(upload, settings.data_dir / "tmp", settings.max_upload_bytes)
    try:
        with db.session() as session:
            result = documents.submit(
                session=session,
                principal=principal,
                temp_path=temp_path,
                source_name=name,
                sha256=sha256,
                size=size,
                collection=collection,
                title=title,
            )
    finally:
        temp_path.unlink(missing_ok=True)  # moved into the store on success
    documents.after_commit()
    return result


@router.post(
    "",
    status_code=202,
    summary="Upload a document; ingestion runs in the background",
    responses={200: {"description": "identical content already present"}, 413: {}, 415: {}},
)
async def upload_document(
    settings: SettingsDep,
    db: DatabaseDep,
    documents: DocumentServiceDep,
    principal: PrincipalDep,
    response: Response,
    file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, Markdown or plain text")],
    collection: Annotated[str, Form(max_length=NAME_MAX_CHARS)] = "default",
    title: Annotated[str | None, Form(max_length=TITLE_MAX_CHARS)] = None,
) -> UploadResult:
    result = await run_in_threadpool(_submit, settings, db, documents, principal, file, collection, title)
    if result.duplicate:
        response.status_code = 200
    return result


@router.get("", summary="List documents the caller may read")
def list_documents(
    db: DatabaseDep,
    documents: DocumentServiceDep,
    principal: PrincipalDep,
    collection: Annotated[str | None, Query(max_length=NAME_MAX_CHARS)] = None,
    status: Annotated[str | None, Query(pattern="^(queued|parsing|embedding|ready|failed)$")] = None,
    q: Annotated[str | None, Query(max_length=200, description="search in titles and file names")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> DocumentPage:
    with db.session() as session:
        return documents.list(
            session=session,
            principal=principal,
            collection=collection,
            status=status,
            query=q,
            limit=limit,
            offset=offset,
        )


@router.get("/{document_id}", summary="Status, progress, error, pages, chunks, size, sha256, uploader")
def get_document(
    document_id: str, db: DatabaseDep, documents: DocumentServiceDep, principal: PrincipalDep
) -> DocumentPublic:
    with db.session() as session:
        return documents.get(session=session, principal=principal, document_id=document_id)


@router.get("/{document_id}/file", summary="Download the original file")
def download_document(
    document_id: str, db: DatabaseDep, documents: DocumentServiceDep, principal: PrincipalDep
) -> Response:
    with db.session() as session:
        path, key, name = documents.file_of(session=session, principal=principal, document_id=document_id)
    if path is not None:
        return FileResponse(path, filename=name)
    disposition = f"attachment; filename*=utf-8''{quote(name)}"
    return StreamingResponse(
        documents.stream_file(key), media_type="application/octet-stream", headers={"content-disposition": disposition}
    )


@router.get("/{document_id}/text", summary="Extracted text around a character range (for citations)")
def document_text(
    document_id: str,
    db: DatabaseDep,
    documents: DocumentServiceDep,
    principal: PrincipalDep,
    start: Annotated[int, Query(ge=0, le=MAX_TEXT_OFFSET)] = 0,
    end: Annotated[int, Query(ge=0, le=MAX_TEXT_OFFSET)] = 0,
    window: Annotated[int, Query(ge=0, le=5000)] = 600,
) -> dict[str, Any]:
    with db.session() as session:
        return documents.text_around(
            session=session,
            principal=principal,
            document_id=document_id,
            start=start,
            end=end,
            window=window,
        )


@router.delete("/{document_id}", status_code=204, summary="Delete a document and all its chunks")
def delete_document(
    document_id: str, db: DatabaseDep, documents: DocumentServiceDep, principal: PrincipalDep
) -> Response:
    with db.session() as session:
        documents.delete(session=session, principal=principal, document_id=document_id)
    return Response(status_code=204)


@router.post("/{document_id}/reindex", status_code=202, summary="Parse, chunk and embed again")
def reindex_document(
    document_id: str, db: DatabaseDep, documents: DocumentServiceDep, principal: PrincipalDep
) -> DocumentPublic:
    with db.session() as session:
        document = documents.reindex(session=session, principal=principal, document_id=document_id)
    documents.after_commit()
    return document


class ChunkPublic(BaseModel):
    index: int
    page: int | None
    pages: list[int]
    heading: str
    text: str
    char_start: int
    char_end: int
    tokens: int


class JobPublic(BaseModel):
    status: str
    error: str | None
    attempts: int
    progress_done: int
    progress_total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@router.get("/{document_id}/chunks", summary="The document's chunks in order, with page and heading")
def document_chunks(
    document_id: str,
    db: DatabaseDep,
    documents: DocumentServiceDep,
    store: VectorStoreDep,
    principal: PrincipalDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[ChunkPublic]:
    with db.session() as session:
        document = documents.get(session=session, principal=principal, document_id=document_id)
    where = StoreFilter(document_ids=[document.id], version=document.version)
    # The store returns points in no particular order: fetch them all, then page by chunk index.
    everything = store.fetch(where, limit=max(document.chunks, offset + limit))
    hits = sorted(everything, key=lambda h: h.payload["chunk_index"])
    return [
        ChunkPublic(
            index=h.payload["chunk_index"],
            page=h.payload.get("page"),
            pages=h.payload.get("pages") or [],
            heading=h.payload.get("heading") or "",
            text=h.payload.get("text") or "",
            char_start=h.payload.get("char_start") or 0,
            char_end=h.payload.get("char_end") or 0,
            tokens=h.payload.get("token_count") or 0,
        )
        for h in hits[offset : offset + limit]
    ]


@router.get("/{document_id}/jobs", summary="The document's ingestion history, newest first")
def document_jobs(
    document_id: str, db: DatabaseDep, documents: DocumentServiceDep, principal: PrincipalDep
) -> list[JobPublic]:
    with db.session() as session:
        document = documents.get(session=session, principal=principal, document_id=document_id)
        jobs = session.scalars(
            select(IngestionJob)
            .where(IngestionJob.document_id == document.id)
            .order_by(IngestionJob.created_at.desc())
            .limit(50)
        )
        return [JobPublic.model_validate(job, from_attributes=True) for job in jobs]
