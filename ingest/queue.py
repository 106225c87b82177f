"""The ingestion queue's table operations: enqueue in a fair order, claim with a lease, renew,
release, finish. ``ingest/jobs.py`` runs jobs with them; any number of workers in any number of
processes and hosts may share one database.

Why our own table and not a job library (procrastinate): the default install is SQLite, which
procrastinate does not support, and the job row is also what people see (status, progress, queue
position), so it lives beside the documents anyway. What a library would add is exactly what is
here: an atomic claim, a lease, a heartbeat.

**Claim.** One statement, ``UPDATE … WHERE id = (SELECT … ORDER BY due_at LIMIT 1 FOR UPDATE SKIP
LOCKED) RETURNING``: on PostgreSQL concurrent workers skip each other's rows instead of waiting; on
SQLite the statement takes the single writer lock before it reads, so two claims never see the same
row. A claim sets ``owner`` and ``lease_expires_at``; the owner's heartbeat renews the lease. Only
jobs whose lease has expired are claimed again (a crashed or killed worker's), never running ones.

**Fairness.** ``due_at = enqueue time + size / REFERENCE_BYTES_PER_S``, claimed earliest first: a
small document queued after a big one goes first, and a big one is never starved, because anything
queued after its due time sorts behind it. This is per-document fairness by size (shortest job
first with aging); round robin between uploaders would not help one person who uploads a big file
and then a small one, the case that hurt. A running job gives way (``better_job_waiting``) when a
job due earlier has waited ``preempt_after_s``: the worker puts it back and takes that one; its
embeddings are cached and its point ids deterministic, so resuming costs little and duplicates
nothing.

Times are the workers' clocks (UTC); hosts need them synchronised to well under a lease (NTP).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from core.metadata.db import Database
from core.metadata.models import Document, IngestionJob, utcnow

RUNNING = ("parsing", "embedding")
MAX_ATTEMPTS = 3  # claims that ended in an expired lease (a crash) before the job fails
REFERENCE_BYTES_PER_S = 4096.0  # only orders jobs: a 600 KB file sorts ~150 s behind its upload


def new_owner() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def due_time(queued_at: datetime, size_bytes: int) -> datetime:
    return queued_at + timedelta(seconds=max(0, size_bytes) / REFERENCE_BYTES_PER_S)


def enqueue(session: Session, document: Document) -> IngestionJob:
    now = utcnow()
    job = IngestionJob(
        document_id=document.id,
        status="queued",
        size_bytes=document.size_bytes,
        created_at=now,
        due_at=due_time(now, document.size_bytes),
    )
    session.add(job)
    return job


def _expired(now: datetime) -> ColumnElement[bool]:
    return and_(
        IngestionJob.status.in_(RUNNING),
        or_(IngestionJob.lease_expires_at.is_(None), IngestionJob.lease_expires_at < now),
    )


class JobQueue:
    def __init__(self, db: Database, owner: str, lease_s: float) -> None:
        self.db, self.owner, self.lease_s = db, owner, lease_s

    def claim(self, session: Session) -> IngestionJob | None:
        """Take the job due first (queued, or running with an expired lease) for this owner."""
        now = utcnow()
        self._fail_exhausted(session, now)
        first = (
            select(IngestionJob.id)
            .where(or_(IngestionJob.status == "queued", _expired(now)))
            .order_by(IngestionJob.due_at, IngestionJob.created_at)
            .limit(1)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        claimed = session.execute(
            update(IngestionJob)
            .where(IngestionJob.id == first)
            .values(
                status="parsing",
                owner=self.owner,
                started_at=now,
                heartbeat_at=now,
                lease_expires_at=now + timedelta(seconds=self.lease_s),
                attempts=IngestionJob.attempts + 1,
            )
            .returning(IngestionJob.id)
            .execution_options(synchronize_session=False)
        ).scalar()
        return session.get(IngestionJob, claimed) if claimed else None

    def _fail_exhausted(self, session: Session, now: datetime) -> None:
        reason = f"ingestion was interrupted {MAX_ATTEMPTS} times; re-index the document to try again"
        failed = session.execute(
            update(IngestionJob)
            .where(_expired(now), IngestionJob.attempts >= MAX_ATTEMPTS)
            .values(status="failed", error=reason, finished_at=now, owner=None, lease_expires_at=None)
            .returning(IngestionJob.document_id)
            .execution_options(synchronize_session=False)
        ).scalars()
        document_ids = list(failed)
        if document_ids:
            session.execute(
                update(Document)
                # Only a document still in the dead job's stage: a newer upload's queued job stays.
                .where(Document.id.in_(document_ids), Document.status.in_(RUNNING))
                .values(status="failed", error=reason)
                .execution_options(synchronize_session=False)
            )

    def expire_dead_owners(self) -> int:
        """End the leases of workers on this host whose process is gone (a kill -9 of the previous
        server), so a restart resumes at once instead of after the lease. Another host's workers are
        judged by their leases only. (Containers sharing the host's name but not its process ids
        could misjudge each other; the cost is a job redone, never a duplicate.)"""
        host = socket.gethostname()[:60] + ":"
        with self.db.session() as session:
            owners = session.scalars(
                select(IngestionJob.owner).where(
                    IngestionJob.status.in_(RUNNING), IngestionJob.owner.startswith(host, autoescape=True)
                )
            ).all()
            dead = {owner for owner in owners if owner and not _alive(owner)}
            if dead:
                session.execute(
                    update(IngestionJob)
                    .where(IngestionJob.owner.in_(dead), IngestionJob.status.in_(RUNNING))
                    .values(lease_expires_at=utcnow())
                    .execution_options(synchronize_session=False)
                )
            return len(dead)

    def heartbeat(self, job_ids: list[str]) -> set[str]:
        """Renew the leases of ``job_ids``; returns those still ours (the others were reclaimed)."""
        if not job_ids:
            return set()
        now = utcnow()
        with self.db.session() as session:
            renewed = session.execute(
                update(IngestionJob)
                .where(*self._mine(job_ids))
                .values(heartbeat_at=now, lease_expires_at=now + timedelta(seconds=self.lease_s))
                .returning(IngestionJob.id)
                .execution_options(synchronize_session=False)
            ).scalars()
            return set(renewed)

    def better_job_waiting(self, due_at: datetime, preempt_after_s: float) -> bool:
        """A queued job due before ``due_at`` has waited ``preempt_after_s`` for a worker."""
        waited_since = utcnow() - timedelta(seconds=preempt_after_s)
        with self.db.session() as session:
            return (
                session.scalar(
                    select(IngestionJob.id)
                    .where(
                        IngestionJob.status == "queued",
                        IngestionJob.due_at < due_at,
                        IngestionJob.created_at <= waited_since,
                    )
                    .limit(1)
                )
                is not None
            )

    def release(self, job_id: str) -> bool:
        """Put our job back in the queue (a stop or a preemption); it keeps its place and the
        attempt does not count."""
        with self.db.session() as session:
            job = session.scalar(select(IngestionJob).where(*self._mine([job_id])))
            if job is None:
                return False
            job.status, job.owner, job.lease_expires_at = "queued", None, None
            job.attempts = max(0, job.attempts - 1)
            document = session.get(Document, job.document_id)
            if document is not None and document.status in RUNNING:
                document.status = "queued"
            return True

    def update(self, job_id: str, *, status: str | None = None, progress: tuple[int, int] | None = None) -> None:
        values: dict[str, Any] = {}
        if status:
            values["status"] = status
        if progress:
            values["progress_done"], values["progress_total"] = progress
        with self.db.session() as session:
            job = session.scalar(select(IngestionJob).where(*self._mine([job_id])))
            if job is None:
                return  # the lease was lost; the heartbeat stops the work
            for name, value in values.items():
                setattr(job, name, value)
            document = session.get(Document, job.document_id)
            if status and document is not None:
                document.status = status

    def owned(self, session: Session, job_id: str) -> IngestionJob | None:
        return session.scalar(select(IngestionJob).where(*self._mine([job_id])))

    def _mine(self, job_ids: list[str]) -> tuple[ColumnElement[bool], ...]:
        return (IngestionJob.id.in_(job_ids), IngestionJob.owner == self.owner, IngestionJob.status.in_(RUNNING))


def _alive(owner: str) -> bool:
    try:
        pid = int(owner.split(":")[1])
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (ValueError, IndexError, PermissionError, OSError):
        return True  # cannot tell: wait for the lease
    return True
