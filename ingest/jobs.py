"""The durable ingestion queue: job rows in the metadata DB, processed by a background thread.

Status: ``queued → parsing → embedding → ready | failed``. Jobs interrupted by a stop, crash or
kill -9 are found at the next start and queued again (at most ``MAX_ATTEMPTS`` times).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from core.access import readable_groups_of
from core.errors import KnowbaseError, ProviderError
from core.metadata.db import Database
from core.metadata.lexical_stats import forget_document
from core.metadata.models import Collection, Document, IngestionJob, utcnow
from core.vectorstore.base import StoreFilter
from ingest.chunking import chunking_of
from ingest.pipeline import DocumentTarget, IngestOutcome, IngestPipeline, Interrupted, Superseded

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


@dataclass
class JobResult:
    document_id: str
    source_name: str
    status: str
    error: str | None = None
    outcome: IngestOutcome | None = None


class IngestionWorker:
    def __init__(self, db: Database, pipeline: Callable[[], IngestPipeline], threads: int = 1) -> None:
        self._db = db
        self._pipeline = pipeline  # built on first use: the embedder loads only when there is work
        self._threads = threads
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []

    # Lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.resume_interrupted()
        self._stop.clear()
        for number in range(self._threads):
            thread = threading.Thread(target=self._loop, name=f"ingest-{number}", daemon=True)
            thread.start()
            self._workers.append(thread)

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        for thread in self._workers:
            thread.join(timeout)
        self._workers.clear()

    def wake(self) -> None:
        self._wake.set()

    def resume_interrupted(self) -> int:
        """Queue again the jobs a previous process left half-done."""
        with self._db.session() as session:
            stuck = session.scalars(select(IngestionJob).where(IngestionJob.status.in_(("parsing", "embedding")))).all()
            for job in stuck:
                document = session.get(Document, job.document_id)
                if job.attempts >= MAX_ATTEMPTS:
                    reason = f"ingestion was interrupted {job.attempts} times; re-index the document to try again"
                    self._finish(session, job, document, "failed", reason)
                else:
                    job.status = "queued"
                    if document is not None:
                        document.status = "queued"
            if stuck:
                log.info("resuming interrupted ingestion jobs", extra={"jobs": len(stuck)})
            return len(stuck)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.process_next() is not None
            except Exception:
                log.exception("ingestion worker error")
                worked = False
            if not worked:
                self._wake.wait(timeout=2.0)
                self._wake.clear()

    def run_until_empty(self, on_result: Callable[[JobResult], None] = lambda r: None, **callbacks) -> list[JobResult]:  # type: ignore[no-untyped-def]
        """Process queued jobs in this thread until none is left (the CLI and tests use this)."""
        self.resume_interrupted()
        results = []
        while not self._stop.is_set():
            result = self.process_next(**callbacks)
            if result is None:
                break
            results.append(result)
            on_result(result)
        return results

    # One job -----------------------------------------------------------------------------------
    def process_next(
        self, on_progress: Callable[[str, int, int], None] = lambda document_id, done, total: None
    ) -> JobResult | None:
        claimed = self._claim()
        if claimed is None:
            return None
        job_id, target = claimed
        log.info("ingesting", extra={"document_id": target.document_id, "version": target.version})

        def stage(name: str) -> None:
            self._update(job_id, target.document_id, status=name, version=target.version)

        def progress(done: int, total: int) -> None:
            self._update(job_id, target.document_id, progress=(done, total))
            on_progress(target.document_id, done, total)

        try:
            pipeline = self._pipeline()
            outcome = pipeline.run(
                target,
                on_stage=stage,
                on_progress=progress,
                should_stop=self._stop.is_set,
                still_current=lambda: self._is_current(target),
            )
        except Superseded:
            return self._fail(job_id, target, "superseded by a newer upload or deleted during ingestion")
        except Interrupted:
            log.info("ingestion interrupted; it resumes at the next start", extra={"document_id": target.document_id})
            return JobResult(target.document_id, target.source_name, "interrupted")
        except ProviderError as error:
            return self._fail(job_id, target, f"embedding or storage failed: {error.message}")
        except KnowbaseError as error:
            return self._fail(job_id, target, error.message)
        except Exception as error:
            log.exception("unexpected ingestion error", extra={"document_id": target.document_id})
            return self._fail(
                job_id, target, f"internal error while ingesting ({type(error).__name__}); see the server log"
            )
        return self._succeed(job_id, target, outcome)

    def _claim(self) -> tuple[str, DocumentTarget] | None:
        with self._db.session() as session:
            for job in session.scalars(
                select(IngestionJob).where(IngestionJob.status == "queued").order_by(IngestionJob.created_at).limit(5)
            ):
                claimed: CursorResult[tuple[()]] = session.execute(  # type: ignore[assignment]
                    update(IngestionJob)
                    .where(IngestionJob.id == job.id, IngestionJob.status == "queued")
                    .values(status="parsing", started_at=utcnow(), attempts=IngestionJob.attempts + 1)
                )
                taken = claimed.rowcount
                if not taken:
                    continue  # another worker got it
                document = session.get(Document, job.document_id)
                if document is None:
                    continue
                document.status = "parsing"
                collection = session.get(Collection, document.collection_id)
                assert collection is not None
                target = DocumentTarget(
                    document_id=document.id,
                    version=document.version,
                    collection_id=document.collection_id,
                    read_groups=readable_groups_of(collection),
                    title=document.title,
                    source_name=document.source_name,
                    path=Path(document.storage_path),
                    attributes=document.attributes,
                    chunking=chunking_of(document.chunking),
                )
                return job.id, target
        return None

    def _is_current(self, target: DocumentTarget) -> bool:
        with self._db.session() as session:
            document = session.get(Document, target.document_id)
            return document is not None and document.version == target.version

    def _update(
        self,
        job_id: str,
        document_id: str,
        status: str | None = None,
        progress: tuple[int, int] | None = None,
        version: int | None = None,
    ) -> None:
        with self._db.session() as session:
            job = session.get(IngestionJob, job_id)
            document = session.get(Document, document_id)
            if job is None:
                return
            if status:
                job.status = status
                # A superseded (newer version, or cancelled) document keeps its own status.
                if document is not None and (version is None or document.version == version):
                    document.status = status
            if progress:
                job.progress_done, job.progress_total = progress

    def _succeed(self, job_id: str, target: DocumentTarget, outcome: IngestOutcome) -> JobResult:
        with self._db.session() as session:
            job = session.get(IngestionJob, job_id)
            document = session.get(Document, target.document_id)
            current = document is not None and document.version == target.version
            if current and document is not None:
                document.title = outcome.title
                document.pages, document.chunk_count, document.token_count = (
                    outcome.pages,
                    outcome.chunk_count,
                    outcome.token_count,
                )
                document.error = "; ".join(outcome.warnings) or None
            self._finish(session, job, document if current else None, "ready")
            if document is None:  # deleted while we worked: its statistics go too
                forget_document(session=session, document_id=target.document_id)
            attributes = document.attributes if current and document is not None else target.attributes
        if attributes != target.attributes:  # changed while the chunks were embedded: the late ones are stale
            where = StoreFilter(document_ids=[target.document_id])
            self._pipeline().store.set_payload(where, {"attributes": attributes or {}})
        if document is None:  # deleted while we worked: leave nothing behind
            self._pipeline().remove_document(target.document_id)
        log.info(
            "document ready",
            extra={"document_id": target.document_id, "chunks": outcome.chunk_count, "timings": outcome.timings},
        )
        return JobResult(target.document_id, target.source_name, "ready", None, outcome)

    def _fail(self, job_id: str, target: DocumentTarget, reason: str) -> JobResult:
        with self._db.session() as session:
            job = session.get(IngestionJob, job_id)
            document = session.get(Document, target.document_id)
            current = document if document is not None and document.version == target.version else None
            self._finish(session, job, current, "failed", reason)
        log.warning("document failed", extra={"document_id": target.document_id, "reason": reason})
        return JobResult(target.document_id, target.source_name, "failed", reason)

    @staticmethod
    def _finish(
        session: Session, job: IngestionJob | None, document: Document | None, status: str, reason: str | None = None
    ) -> None:
        if job is not None:
            job.status, job.error, job.finished_at = status, reason, utcnow()
        if document is not None:
            document.status = status
            if status == "failed":
                document.error = reason
