"""Fair ingestion with one worker: a tiny document uploaded while a big one is being embedded is
ready first (the big job gives way and resumes from its cached embeddings), and the big one still
ends complete, once."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.wiring import build_services
from core.settings import Settings
from tests.conftest import bearer
from tests.ingest.slow_worker import SlowEmbedder
from tests.ingest.test_documents_api import points, wait_until_done

pytestmark = pytest.mark.integration


def _big() -> bytes:
    return "\n\n".join(
        f"Chapter {c}. " + " ".join(f"Clause {c}.{i} covers item {c * 13 + i}." for i in range(10)) for c in range(40)
    ).encode()


def test_a_tiny_document_overtakes_a_big_one_already_being_embedded(settings: Settings, admin_key: str) -> None:
    configured = settings.model_copy(
        update={"ingest_lease_s": 0.9, "ingest_preempt_after_s": 0.5, "chunk_tokens": 60, "chunk_overlap_tokens": 10}
    )
    services = build_services(configured, embedder_factory=lambda: SlowEmbedder(configured.embedding_dim))
    headers = bearer(admin_key)
    with TestClient(create_app(configured, services)) as client:
        big = client.post("/v1/documents", files={"file": ("big.md", _big())}, headers=headers).json()["document"]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(f"/v1/documents/{big['id']}", headers=headers).json()
            if state["status"] == "embedding" and state["progress"]["done"] >= 8:
                break
            time.sleep(0.05)
        else:
            pytest.fail("the big document never reached the embedding stage")
        tiny = client.post("/v1/documents", files={"file": ("tiny.md", b"# Tiny\n\nTen words.")}, headers=headers)
        tiny_id = tiny.json()["document"]["id"]
        assert wait_until_done(client, admin_key, tiny_id, timeout=30)["status"] == "ready"
        assert client.get(f"/v1/documents/{big['id']}", headers=headers).json()["status"] != "ready"

        finished = wait_until_done(client, admin_key, big["id"], timeout=90)
        assert finished["status"] == "ready"
        jobs = client.get(f"/v1/documents/{big['id']}/jobs", headers=headers).json()
        assert [job["attempts"] for job in jobs] == [1]  # giving way is not a failed attempt
        indexes = sorted(p.payload["chunk_index"] for p in points(client, document_ids=[big["id"]]))
        assert indexes == list(range(finished["chunks"]))
