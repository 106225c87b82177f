"""Two ``knowbase worker`` processes and an API server on one scratch PostgreSQL: every job runs
once; a worker killed with SIGKILL mid-job loses its job to the other once its lease expires;
nothing is lost or duplicated. Opt-in like tests/core/test_postgres.py (KB_TEST_POSTGRES_URL, e.g.
from ``.ci/postgres``; its tables are dropped).

The API server runs in this process (its own worker off, as ``serve --no-worker``); each worker
has its own embedded vector store (no Qdrant server here), so "no duplicates" is checked per
store: every document is published, whole, in exactly one worker's store."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from api.app import create_app
from core.metadata.db import Database
from core.metadata.models import IngestionJob
from core.settings import Settings
from core.vectorstore import StoreFilter
from core.vectorstore.edge import EdgeVectorStore
from tests.conftest import bearer

URL = os.environ.get("KB_TEST_POSTGRES_URL", "")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not URL, reason="set KB_TEST_POSTGRES_URL to test PostgreSQL"),
]
ROOT = Path(__file__).resolve().parents[2]
LEASE_S = 1.5


def _reset(url: str) -> None:
    db = Database(url)
    with db.engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    db.close()


def _worker(data_dir: Path, files: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        KNOWBASE_DATA_DIR=str(data_dir),
        KNOWBASE_DATABASE_URL=URL,
        KNOWBASE_FILE_STORE=str(files),
        KNOWBASE_EMBEDDING_PROVIDER="fake",
        KNOWBASE_INGEST_LEASE_S=str(LEASE_S),
        KNOWBASE_CHUNK_TOKENS="60",
        KNOWBASE_CHUNK_OVERLAP_TOKENS="10",
        KNOWBASE_LOG_LEVEL="warning",
    )
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "ingest" / "slow_worker.py")],
        cwd=data_dir.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _text(number: int) -> bytes:
    sections = (
        f"Section {s} of report {number}. "
        + " ".join(f"Finding {s}.{i} on subject {number * 11 + i}." for i in range(10))
        for s in range(8)
    )
    return ("\n\n".join(sections)).encode()


def _jobs(db: Database) -> list[IngestionJob]:
    with db.session() as session:
        return list(session.scalars(select(IngestionJob)))


def test_two_workers_share_the_queue_and_take_over_a_killed_workers_job(
    settings: Settings, admin_key: str, tmp_path: Path
) -> None:
    _reset(URL)
    files = tmp_path / "files"  # the shared volume
    configured = settings.model_copy(
        update={
            "database_url": URL,
            "file_store": str(files),
            "embedding_provider": "fake",
            "ingest_in_server": False,
            "data_dir": tmp_path / "server",
        }
    )
    db = Database(URL)
    workers: list[subprocess.Popen[str]] = []
    with TestClient(create_app(configured)) as client:
        headers = bearer(admin_key)
        ids = []
        for number in range(6):
            response = client.post(
                "/v1/documents", files={"file": (f"report-{number}.md", _text(number))}, headers=headers
            )
            assert response.status_code == 202
            ids.append(response.json()["document"]["id"])
        try:
            for name in ("worker-a", "worker-b"):
                workers.append(_worker(tmp_path / name, files))
            for worker in workers:
                assert worker.stdout is not None and "ingesting" in worker.stdout.readline()
            pids = {worker.pid: worker for worker in workers}

            victim_job = None
            deadline = time.monotonic() + 60
            while victim_job is None and time.monotonic() < deadline:
                victim_job = next(
                    (j for j in _jobs(db) if j.status == "embedding" and j.progress_done >= 8 and j.owner), None
                )
                time.sleep(0.05)
            assert victim_job is not None and victim_job.owner, "no job reached the embedding stage"
            victim = pids[int(victim_job.owner.split(":")[1])]
            victim.send_signal(signal.SIGKILL)
            victim.wait()

            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                documents = [client.get(f"/v1/documents/{i}", headers=headers).json() for i in ids]
                if all(d["status"] in ("ready", "failed") for d in documents):
                    break
                time.sleep(0.2)
            assert [d["status"] for d in documents] == ["ready"] * len(ids), [d["error"] for d in documents]
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            for worker in workers:
                worker.wait(timeout=30)

    survivor = next(w for w in workers if w is not victim)
    assert survivor.returncode == 0  # SIGTERM: a clean stop
    jobs = {j.document_id: j for j in _jobs(db)}
    assert len(jobs) == len(ids)  # one job per document, none added
    taken_over = jobs[victim_job.document_id]
    assert taken_over.attempts == 2 and taken_over.owner and f":{survivor.pid}:" in taken_over.owner
    assert victim_job.lease_expires_at is not None and taken_over.started_at is not None
    assert taken_over.started_at >= victim_job.lease_expires_at  # taken over only once the lease ran out
    assert all(j.attempts == 1 for d, j in jobs.items() if d != victim_job.document_id)
    db.close()

    stores = {
        name: EdgeVectorStore(Settings(data_dir=tmp_path / name).qdrant_path, 384) for name in ("worker-a", "worker-b")
    }
    try:
        for document in documents:
            published = []
            for store in stores.values():
                points = store.fetch(StoreFilter(document_ids=[document["id"]]), limit=10_000)
                visible = [p for p in points if not p.payload["collection_id"].startswith("staging:")]
                if visible:
                    published.append(sorted(p.payload["chunk_index"] for p in visible))
            assert published == [list(range(document["chunks"]))], document["source"]
    finally:
        for store in stores.values():
            store.close()
