"""OpenAI's Files API: ``/v1/files`` (upload, list, retrieve, delete, content). The logic lives in
``ingest/openai``; uploads have the same size limit, format detection and errors as
``/v1/documents``. As OpenAI, an invalid request is a 400 here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, StreamingResponse

from api.deps import DatabaseDep, PrincipalDep, SessionDep, get_services
from api.openai_route import OpenAIRoute
from api.routes.documents import FILE_NAME_MAX_CHARS, _save_upload
from api.wiring import Services
from core.errors import BadRequest
from core.metadata.db import Database
from core.types import Principal
from ingest.openai.files import PURPOSES, expires_after_seconds
from ingest.openai.service import OpenAIKnowledgeBase, build_openai_kb

CURSOR_MAX_CHARS = 80


def get_openai_kb(services: Annotated[Services, Depends(get_services)]) -> OpenAIKnowledgeBase:
    """The services, once expired files are gone (with their chunks) as of this request."""
    settings = services.settings
    kb = build_openai_kb(
        documents=services.documents,
        vector_store=services.vector_store.get,
        default_chunking=(settings.chunk_tokens, settings.chunk_overlap_tokens),
    )
    with services.db.session() as session:
        kb.files.delete_expired(session)
    return kb


KnowledgeBaseDep = Annotated[OpenAIKnowledgeBase, Depends(get_openai_kb)]
Cursor = Annotated[str | None, Query(max_length=CURSOR_MAX_CHARS)]
router = APIRouter(prefix="/v1/files", tags=["openai-files"], route_class=OpenAIRoute)


def _create(
    kb: OpenAIKnowledgeBase,
    db: Database,
    principal: Principal,
    upload: UploadFile,
    purpose: str,
    expires_after_s: int | None,
    limit_bytes: int,
    tmp_dir: Path,
) -> dict[str, Any]:
    name = upload.filename or "upload"
    if len(name) > FILE_NAME_MAX_CHARS:
        raise BadRequest(
            f"the file name is longer than {FILE_NAME_MAX_CHARS} characters; rename the file",
            details={"param": "file", "max_chars": FILE_NAME_MAX_CHARS},
        )
    if purpose not in PURPOSES:  # before the bytes are copied
        raise BadRequest(f"purpose must be one of {', '.join(PURPOSES)}", details={"param": "purpose"})
    temp_path, sha256, size = _save_upload(upload, tmp_dir, limit_bytes)
    try:
        with db.session() as session:
            return kb.files.create(
                session=session,
                principal=principal,
                temp_path=temp_path,
                filename=name,
                sha256=sha256,
                size=size,
                purpose=purpose,
                expires_after_s=expires_after_s,
            )
    finally:
        temp_path.unlink(missing_ok=True)  # moved into the store on success


@router.post("", summary="Upload a file (OpenAI's Files API)")
async def create_file(
    kb: KnowledgeBaseDep,
    db: DatabaseDep,
    principal: PrincipalDep,
    services: Annotated[Services, Depends(get_services)],
    file: Annotated[UploadFile, File(description="PDF, DOCX, HTML, Markdown or plain text")],
    purpose: Annotated[str, Form(max_length=32)],
    expires_anchor: Annotated[str | None, Form(alias="expires_after[anchor]", max_length=32)] = None,
    expires_seconds: Annotated[int | None, Form(alias="expires_after[seconds]")] = None,
) -> dict[str, Any]:
    expires_after_s = expires_after_seconds(expires_anchor, expires_seconds)
    settings = services.settings
    return await run_in_threadpool(
        _create,
        kb,
        db,
        principal,
        file,
        purpose,
        expires_after_s,
        settings.max_upload_bytes,
        settings.data_dir / "tmp",
    )


@router.get("", summary="The caller's files (an admin's: everyone's), newest first by default")
def list_files(
    kb: KnowledgeBaseDep,
    session: SessionDep,
    principal: PrincipalDep,
    after: Cursor = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
    order: Literal["asc", "desc"] = "desc",
    purpose: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    return kb.files.list(session=session, principal=principal, after=after, limit=limit, order=order, purpose=purpose)


@router.get("/{file_id}", summary="One file (or a readable document, as file-<document id>)")
def retrieve_file(file_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return kb.files.retrieve(session=session, principal=principal, file_id=file_id)


@router.delete("/{file_id}", summary="Delete a file and take it out of every vector store")
def delete_file(file_id: str, kb: KnowledgeBaseDep, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    return kb.files.delete(session=session, principal=principal, file_id=file_id)


@router.get("/{file_id}/content", summary="The file's bytes")
def file_content(file_id: str, kb: KnowledgeBaseDep, db: DatabaseDep, principal: PrincipalDep) -> Response:
    with db.session() as session:
        key, name = kb.files.content(session=session, principal=principal, file_id=file_id)
    path = kb.documents.files.local_path(key)
    if path is not None:
        return FileResponse(path, filename=name)
    disposition = f"attachment; filename*=utf-8''{quote(name)}"
    return StreamingResponse(
        kb.documents.stream_file(key),
        media_type="application/octet-stream",
        headers={"content-disposition": disposition},
    )
