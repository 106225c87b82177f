"""Ingestion workers: threads that claim jobs from the queue (``ingest/queue.py``), run the
pipeline, and keep their leases alive with a heartbeat.

Status: ``queued → parsing → embedding → ready | failed``. A worker that stops puts its job back at
once; one that dies (kill -9, lost host) holds its lease until it expires, then any worker takes
the job over (``MAX_ATTEMPTS`` times at most). Point ids are deterministic, so a job finished by a
second worker overwrites the first one's partial points instead of duplicating them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from core.access import readable_groups_of
from core.errors import KnowbaseError, ProviderError
from core.filestore import FileStore
from core.metadata.db import Database
from core.metadata.lexical_stats import forget_document
from core.metadata.models import Collection, Document, IngestionJob, utcnow
from core.vectorstore.base import StoreFilter
from ingest.chunking import chunking_of
from ingest.pipeline import DocumentTarget, IngestOutcome, IngestPipeline, Interrupted, Superseded
from ingest.queue import MAX_ATTEMPTS, JobQueue, new_owner

log = logging.getLogger(__name__)
__all__ = ["MAX_ATTEMPTS", "IngestionWorker", "JobResult"]
IDLE_POLL_S = 2.0  # how often an idle worker looks for jobs queued by other processes


@dataclass
class JobResult:
    document_id: str
    source_name: str
    status: str  # ready | failed | interrupted | preempted | lost
    error: str | None = None
    outcome: IngestOutcome | None = None


@dataclass
class _Held:
    """A job this worker runs: the heartbeat sets the flags, the pipeline's stop check reads them."""

    due_at: datetime
    lost: bool = False
    preempt: bool = False
    flags: threading.Lock = field(default_factory=threading.Lock)


class IngestionWorker:
    def __init__(
        self,
        db: Database,
        pipeline: Callable[[], IngestPipeline],
        threads: int = 1,
        *,
        files: FileStore,
        lease_s: float = 60.0,
        preempt_after_s: float = 10.0,
        owner: str | None = None,
    ) -> None:
        self._db = db
        self._pipeline = pipeline  # built on first use: the embedder loads only when there is work
        self._threads = threads
        self._files = files  # where the originals are (DocumentTarget.path is a key in it)
        self.queue = JobQueue(db, owner or new_owner(), lease_s)
        self._preempt_after_s = preempt_after_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._workers: list[threading.Thread] = []
        self._held: dict[str, _Held] = {}
        self._held_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None

    @property
    def owner(self) -> str:
        return self.queue.owner

    # Lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self.queue.expire_dead_owners()
        self._stop.clear()
        self._start_heartbeat()
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
        if self._heartbeat is not None:
            self._heartbeat.join(timeout)
            self._heartbeat = None

    def wake(self) -> None:
        self._wake.set()

    def _start_heartbeat(self) -> None:
        if self._heartbeat is None or not self._heartbeat.is_alive():
            self._heartbeat = threading.Thread(target=self._beat, name="ingest-heartbeat", daemon=True)
            self._heartbeat.start()

    def _beat(self) -> None:
        """Renew our leases a few times per lease; flag jobs we lost, and the one to give way."""
        interval = self.queue.lease_s / 3
        while not self._stop.wait(interval):
            try:
                self.beat_once()
            except Exception:
                log.exception("ingestion heartbeat failed; retrying")

    def beat_once(self) -> None:
        with self._held_lock:
            held = dict(self._held)
        if not held:
            return
        renewed = self.queue.heartbeat(list(held))
        for job_id, state in held.items():
            if job_id not in renewed:
                state.lost = True
        latest_id, latest = max(held.items(), key=lambda item: item[1].due_at)
        if not latest.lost and self.queue.better_job_waiting(latest.due_at, self._preempt_after_s):
            latest.preempt = True

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.process_next() is not None
            except Exception:
                log.exception("ingestion worker error")
                worked = False
            if not worked:
                self._wake.wait(timeout=IDLE_POLL_S)
                self._wake.clear()

    def run_until_empty(self, on_result: Callable[[JobResult], None] = lambda r: None, **callbacks) -> list[JobResult]:  # type: ignore[no-untyped-def]
        """Process queued jobs in this thread until none is left (the CLI and tests use this).
        Jobs other workers hold are theirs: only expired leases are taken over."""
        self.queue.expire_dead_owners()
        self._start_heartbeat()
        results = []
        try:
            while not self._stop.is_set():
                result = self.process_next(**callbacks)
                if result is None:
                    break
                results.append(result)
                on_result(result)
        finally:
            if not self._workers:  # no background threads: the heartbeat is ours to end
                self._stop.set()
                if self._heartbeat is not None:
                    self._heartbeat.join()
                    self._heartbeat = None
                self._stop.clear()
        return results

    # One job -----------------------------------------------------------------------------------
    def process_next(
        self, on_progress: Callable[[str, int, int], None] = lambda document_id, done, total: None
    ) -> JobResult | None:
        claimed = self._claim()
        if claimed is None:
            return None
        job_id, target, held = claimed
        log.info("ingesting", extra={"document_id": target.document_id, "version": target.version})

        def progress(done: int, total: int) -> None:
            self.queue.update(job_id, progress=(done, total))
            on_progress(target.document_id, done, total)

        def should_stop() -> bool:
            return self._stop.is_set() or held.lost or held.preempt

        try:
            pipeline = self._pipeline()
            with self._files.as_local_file(str(target.path)) as local:
                outcome = pipeline.run(
                    replace(target, path=local),
                    on_stage=lambda name: self.queue.update(job_id, status=name),
                    on_progress=progress,
                    should_stop=should_stop,
                    still_current=lambda: self._is_current(target),
                )
        except Superseded:
            return self._fail(job_id, target, "superseded by a newer upload or deleted during ingestion")
        except Interrupted:
            return self._interrupted(job_id, target, held)
        except ProviderError as error:
            return self._fail(job_id, target, f"embedding or storage failed: {error.message}")
        except KnowbaseError as error:
            return self._fail(job_id, target, error.message)
        except Exception as error:
            log.exception("unexpected ingestion error", extra={"document_id": target.document_id})
            return self._fail(
                job_id, target, f"internal error while ingesting ({type(error).__name__}); see the server log"
            )
        finally:
            with self._held_lock:
                self._held.pop(job_id, None)
        return self._succeed(job_id, target, outcome)

    def _interrupted(self, job_id: str, target: DocumentTarget, held: _Held) -> JobResult:
        if held.lost:
            log.warning("lease lost; another worker finishes the job", extra={"document_id": target.document_id})
            return JobResult(target.document_id, target.source_name, "lost")
        self.queue.release(job_id)
        status = "interrupted" if self._stop.is_set() else "preempted"
        log.info(f"ingestion {status}; the job is queued again", extra={"document_id": target.document_id})
        return JobResult(target.document_id, target.source_name, status)

    def _claim(self) -> tuple[str, DocumentTarget, _Held] | None:
        with self._db.session() as session:
            while (job := self.queue.claim(session)) is not None:
                document = session.get(Document, job.document_id)
                if document is None:  # deleted: the job row goes with it (cascade)
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
                    path=Path(document.storage_path),  # a file store key (legacy: an absolute path)
                    attributes=document.attributes,
                    chunking=chunking_of(document.chunking),
                )
                held = _Held(due_at=job.due_at)
                with self._held_lock:
                    self._held[job.id] = held
                return job.id, target, held
        return None

    def _is_current(self, target: DocumentTarget) -> bool:
        with self._db.session() as session:
            document = session.get(Document, target.document_id)
            return document is not None and document.version == target.version

    def _succeed(self, job_id: str, target: DocumentTarget, outcome: IngestOutcome) -> JobResult:
        with self._db.session() as session:
            job = self.queue.owned(session, job_id)  # gone with its document, if that was deleted
            document = session.get(Document, target.document_id)
            if job is None and document is not None:  # our lease ran out: the new owner records it
                return JobResult(target.document_id, target.source_name, "lost")
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
            job = self.queue.owned(session, job_id)
            if job is None:
                return JobResult(target.document_id, target.source_name, "lost")
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
            job.lease_expires_at = None  # the owner stays: who ran it
        if document is not None:
            document.status = status
            if status == "failed":
                document.error = reason
