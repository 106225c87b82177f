from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

DocumentStatus = Literal["queued", "parsing", "embedding", "ready", "failed"]
ACTIVE_STATUSES = ("queued", "parsing", "embedding")


class Progress(BaseModel):
    done: int
    total: int


class DocumentPublic(BaseModel):
    id: str
    collection: str
    title: str
    source: str
    format: str
    size_bytes: int
    sha256: str
    status: DocumentStatus
    error: str | None
    progress: Progress
    pages: int | None
    chunks: int
    tokens: int
    version: int
    uploader: str | None
    created_at: datetime
    updated_at: datetime


class DocumentPage(BaseModel):
    items: list[DocumentPublic]
    total: int
    limit: int
    offset: int


class UploadResult(BaseModel):
    document: DocumentPublic
    duplicate: bool
    message: str
