"""The ingestion queue on SQLite: fair claim order, exclusive claims, leases, heartbeats, release,
preemption, and the queue view each caller sees."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from api.app import create_app
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
from core.metadata.models import Collection, Document, IngestionJob, utcnow
from ingest.queue import MAX_ATTEMPTS, REFERENCE_BYTES_PER_S, JobQueue, due_time, enqueue
from tests.conftest import bearer

pytestmark = pytest.mark.unit


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'queue.db'}")
    bootstrap(database, None)
    return database


def _add(db: Database, name: str, size: int) -> str:
    with db.session() as session:
        collection = session.scalar(select(Collection).where(Collection.name == "default"))
        assert collection is not None
        document = Document(
            collection_id=collection.id,
            title=name,
            source_name=name,
            sha256="0" * 64,
            storage_path="x",
            size_bytes=size,
        )
        session.add(document)
        session.flush()
        enqueue(session, document)
        return document.id


def _claim(queue: JobQueue) -> str | None:
    with queue.db.session() as session:
        job = queue.claim(session)
        return job.document_id if job else None


def test_a_small_document_queued_after_a_big_one_is_claimed_first(db: Database) -> None:
    big = _add(db, "big.txt", 600_000)
    tiny = _add(db, "tiny.txt", 60)
    queue = JobQueue(db, "w1", lease_s=60)
    assert [_claim(queue), _claim(queue), _claim(queue)] == [tiny, big, None]


def test_a_big_document_is_not_starved_by_later_small_ones() -> None:
    start = utcnow()
    big_due = due_time(start, 600_000)
    assert due_time(start + timedelta(seconds=10), 60) < big_due  # small ones overtake at first
    waited = 600_000 / REFERENCE_BYTES_PER_S + 1
    assert due_time(start + timedelta(seconds=waited), 0) > big_due  # and stop once the big one is due


def test_concurrent_claims_take_each_job_exactly_once(db: Database, tmp_path: Path) -> None:
    ids = {_add(db, f"doc-{n}.txt", 100 + n) for n in range(30)}
    claimed: list[str] = []
    lock = threading.Lock()

    def work(owner: str) -> None:
        queue = JobQueue(Database(db.url), owner, lease_s=60)  # its own engine, as another process has
        while (document_id := _claim(queue)) is not None:
            with lock:
                claimed.append(document_id)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == sorted(ids)
    with db.session() as session:
        assert {job.attempts for job in session.scalars(select(IngestionJob))} == {1}


def test_only_expired_leases_are_taken_over(db: Database) -> None:
    document_id = _add(db, "a.txt", 10)
    first, second = JobQueue(db, "w1", lease_s=60), JobQueue(db, "w2", lease_s=60)
    assert _claim(first) == document_id
    assert _claim(second) is None  # running with a live lease: not reclaimed
    with db.session() as session:
        session.execute(update(IngestionJob).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    assert _claim(second) == document_id
    with db.session() as session:
        job = session.scalars(select(IngestionJob)).one()
        assert (job.owner, job.attempts) == ("w2", 2)
    job_id = job.id
    assert first.heartbeat([job_id]) == set()  # the first owner learns it lost the job
    assert second.heartbeat([job_id]) == {job_id}


def test_a_job_whose_workers_keep_dying_fails_with_a_reason(db: Database) -> None:
    document_id = _add(db, "a.txt", 10)
    for attempt in range(MAX_ATTEMPTS):
        assert _claim(JobQueue(db, f"w{attempt}", lease_s=60)) == document_id
        with db.session() as session:  # the worker marks the document, then dies
            session.execute(update(Document).values(status="embedding"))
            session.execute(update(IngestionJob).values(lease_expires_at=utcnow() - timedelta(seconds=1)))
    assert _claim(JobQueue(db, "last", lease_s=60)) is None
    with db.session() as session:
        document = session.get(Document, document_id)
        assert document is not None and document.status == "failed"
        assert "interrupted 3 times" in (document.error or "")


def test_release_requeues_without_counting_an_attempt(db: Database) -> None:
    document_id = _add(db, "a.txt", 10)
    queue = JobQueue(db, "w1", lease_s=60)
    with db.session() as session:
        job = queue.claim(session)
        assert job is not None
        job_id = job.id
    assert JobQueue(db, "other", lease_s=60).release(job_id) is False  # not theirs
    assert queue.release(job_id) is True
    with db.session() as session:
        job = session.get(IngestionJob, job_id)
        assert job is not None and (job.status, job.owner, job.attempts) == ("queued", None, 0)
    assert _claim(queue) == document_id


def test_a_running_big_job_gives_way_to_a_small_one_that_waited(db: Database) -> None:
    _add(db, "big.txt", 600_000)
    queue = JobQueue(db, "w1", lease_s=60)
    with db.session() as session:
        running = queue.claim(session)
        assert running is not None
        big_due = running.due_at
    assert not queue.better_job_waiting(big_due, preempt_after_s=0)
    _add(db, "tiny.txt", 60)
    assert not queue.better_job_waiting(big_due, preempt_after_s=30)  # another worker may still take it
    assert queue.better_job_waiting(big_due, preempt_after_s=0)


def _wait_ready(client: TestClient, document_id: str, headers: dict[str, str]) -> None:
    for _ in range(200):
        if client.get(f"/v1/documents/{document_id}", headers=headers).json()["status"] == "ready":
            return
        time.sleep(0.05)
    pytest.fail("document never became ready")


def test_queue_view_shows_position_and_eta_only_from_readable_jobs(settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    configured = settings.model_copy(update={"embedding_provider": "fake", "ingest_in_server": False})
    with TestClient(create_app(configured)) as client:
        admin = bearer(admin_key)
        client.post(
            "/v1/admin/collections", json={"name": "hr", "read_groups": ["hr"], "write_groups": ["hr"]}, headers=admin
        )
        reader = bearer(
            client.post("/v1/admin/keys", json={"user": "pat", "role": "reader"}, headers=admin).json()["key"]
        )
        services = client.app.state.services  # type: ignore[attr-defined]

        def upload(name: str, body: bytes, collection: str = "default") -> str:
            response = client.post(
                "/v1/documents", files={"file": (name, body)}, data={"collection": collection}, headers=admin
            )
            return str(response.json()["document"]["id"])

        assert client.get("/v1/ingestion/queue", headers=reader).json() == {
            "items": [],
            "throughput_bytes_per_s": None,
            "measured_jobs": 0,
        }
        done = upload("done.md", b"# Done\n\n" + b"Finished words. " * 200)
        services.worker.run_until_empty()
        _wait_ready(client, done, admin)
        upload("secret.md", b"# Secret\n\n" + b"hidden " * 100, collection="hr")  # unreadable for pat, due first
        first = upload("first.md", b"# First\n\n" + b"first words " * 300)
        second = upload("second.md", b"# Second\n\n" + b"second words " * 900)

        seen = client.get("/v1/ingestion/queue", headers=reader).json()
        assert [(e["document_id"], e["position"]) for e in seen["items"]] == [(first, 1), (second, 2)]
        assert seen["measured_jobs"] == 1 and seen["throughput_bytes_per_s"] > 0
        rate = seen["throughput_bytes_per_s"]
        sizes = [e["size_bytes"] for e in seen["items"]]
        assert [e["eta_s"] for e in seen["items"]] == [round(sizes[0] / rate, 1), round(sum(sizes) / rate, 1)]
        everything = client.get("/v1/ingestion/queue", headers=admin).json()
        assert [e["position"] for e in everything["items"]] == [1, 2, 3]
        assert client.get("/v1/ingestion/queue?limit=0", headers=reader).status_code == 422


def test_a_document_deleted_as_its_job_publishes_leaves_nothing_behind(settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    from core.metadata.models import LexicalDocumentTerms
    from tests.ingest.test_documents_api import points

    configured = settings.model_copy(update={"embedding_provider": "fake", "ingest_in_server": False})
    with TestClient(create_app(configured)) as client:
        admin = bearer(admin_key)
        body = client.post("/v1/documents", files={"file": ("gone.md", b"# Gone\n\nSoon deleted.")}, headers=admin)
        document_id = body.json()["document"]["id"]
        services = client.app.state.services  # type: ignore[attr-defined]
        pipeline = services.pipeline.get()
        publish = pipeline.publish

        def deleted_first(target, terms):  # type: ignore[no-untyped-def]
            assert client.delete(f"/v1/documents/{target.document_id}", headers=admin).status_code == 204
            publish(target, terms)

        pipeline.publish = deleted_first
        assert [r.status for r in services.worker.run_until_empty()] == ["ready"]
        assert points(client, document_ids=[document_id]) == []
        with services.db.session() as session:
            assert session.scalars(select(LexicalDocumentTerms)).all() == []
