"""What the ingestion queue looks like to one caller: their readable jobs in claim order, each
with a position and an estimate of when it is ready.

Everything is computed from jobs of documents the caller may read, as every answer in knowbase
is: positions count only readable jobs, the throughput is measured on readable jobs that finished
recently, and the ETA adds up the readable work ahead. A global position would tell a reader how
many documents are waiting in collections they cannot see. The price: work the caller cannot see
may make the wait longer than the estimate, and parallel workers may make it shorter.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.access import readable_collections
from core.metadata.models import Document, IngestionJob, utcnow
from core.types import Principal
from ingest.queue import RUNNING
from ingest.schemas import Progress, QueueEntry, QueueView

THROUGHPUT_WINDOW = timedelta(hours=24)
THROUGHPUT_JOBS = 50  # the most recent finished jobs the throughput is measured on
MAX_ENTRIES = 500


def queue_view(*, session: Session, principal: Principal, limit: int = 100) -> QueueView:
    readable = readable_collections(session=session, principal=principal)
    names = {collection_id: name for name, collection_id in readable.items()}
    rows = session.execute(
        select(IngestionJob, Document)
        .join(Document, Document.id == IngestionJob.document_id)
        .where(IngestionJob.status.in_(("queued", *RUNNING)), Document.collection_id.in_(list(names)))
        .order_by(IngestionJob.due_at, IngestionJob.created_at)
        .limit(MAX_ENTRIES)
    ).all()
    running = [(job, document) for job, document in rows if job.status in RUNNING]
    waiting = [(job, document) for job, document in rows if job.status == "queued"]
    rate, measured = _throughput(session, list(names))
    items: list[QueueEntry] = []
    work_ahead = 0.0
    for position, (job, document) in enumerate(running + waiting):
        remaining = _remaining_bytes(job)
        work_ahead += remaining
        is_running = job.status in RUNNING
        items.append(
            QueueEntry(
                document_id=document.id,
                title=document.title or Path(document.source_name).stem,
                source=document.source_name,
                collection=names[document.collection_id],
                status=job.status,
                position=0 if is_running else position - len(running) + 1,
                size_bytes=job.size_bytes,
                progress=Progress(done=job.progress_done, total=job.progress_total),
                queued_at=job.created_at,
                eta_s=round((remaining if is_running else work_ahead) / rate, 1) if rate else None,
            )
        )
    return QueueView(items=items[:limit], throughput_bytes_per_s=rate, measured_jobs=measured)


def _remaining_bytes(job: IngestionJob) -> float:
    if job.status in RUNNING and job.progress_total:
        return job.size_bytes * (1 - job.progress_done / job.progress_total)
    return float(job.size_bytes)


def _throughput(session: Session, collection_ids: list[str]) -> tuple[float | None, int]:
    """Bytes per second of wall time of recently finished readable jobs (parse, embed and store)."""
    finished = session.execute(
        select(IngestionJob.size_bytes, IngestionJob.started_at, IngestionJob.finished_at)
        .join(Document, Document.id == IngestionJob.document_id)
        .where(
            IngestionJob.status == "ready",
            IngestionJob.finished_at >= utcnow() - THROUGHPUT_WINDOW,
            IngestionJob.started_at.is_not(None),
            Document.collection_id.in_(collection_ids),
        )
        .order_by(IngestionJob.finished_at.desc())
        .limit(THROUGHPUT_JOBS)
    ).all()
    total_bytes = sum(size for size, _, _ in finished)
    total_s = sum((end - start).total_seconds() for _, start, end in finished if start and end)
    if not finished or total_s <= 0 or total_bytes <= 0:
        return None, len(finished)
    return round(total_bytes / total_s, 1), len(finished)
