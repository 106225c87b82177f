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


class QueueEntry(BaseModel):
    document_id: str
    title: str
    source: str
    collection: str
    status: DocumentStatus
    position: int  # 0 = running; 1, 2, … = next among the jobs the caller may read
    size_bytes: int
    progress: Progress
    queued_at: datetime
    eta_s: float | None  # seconds until ready, from recent throughput; None before any measurement


class QueueView(BaseModel):
    items: list[QueueEntry]
    throughput_bytes_per_s: float | None
    measured_jobs: int
