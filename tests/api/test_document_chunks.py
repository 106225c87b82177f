"""A document's chunks and ingestion history, for whoever may read it (and 404 for anyone else)."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_error_shape, bearer

pytestmark = pytest.mark.integration


def test_chunks_in_order_with_headings_and_the_history(client: TestClient, admin_key: str) -> None:
    admin = bearer(admin_key)
    client.post("/v1/admin/collections", json={"name": "hr", "read_groups": ["hr"], "write_groups": []}, headers=admin)
    text = (
        "# Leave\n\n"
        + "Employees get fifteen days of paid leave. " * 60
        + "\n\n## Carry-over\n\n"
        + "Five days carry over. " * 60
    )
    document = client.post(
        "/v1/documents", files={"file": ("leave.md", text.encode())}, data={"collection": "hr"}, headers=admin
    ).json()["document"]["id"]
    for _ in range(300):
        if client.get(f"/v1/documents/{document}", headers=admin).json()["status"] == "ready":
            break
        time.sleep(0.1)
    chunks = client.get(f"/v1/documents/{document}/chunks", headers=admin).json()
    assert len(chunks) >= 2
    assert [c["index"] for c in chunks] == sorted(c["index"] for c in chunks)
    assert any("Carry-over" in c["heading"] for c in chunks)
    assert all(c["char_end"] > c["char_start"] and c["text"] for c in chunks)
    second = client.get(f"/v1/documents/{document}/chunks?limit=1&offset=1", headers=admin).json()
    assert [c["index"] for c in second] == [chunks[1]["index"]]
    jobs = client.get(f"/v1/documents/{document}/jobs", headers=admin).json()
    assert jobs[0]["status"] == "ready" and jobs[0]["finished_at"]

    client.post("/v1/admin/users", json={"name": "rob", "role": "reader"}, headers=admin)
    reader_key = client.post("/v1/admin/keys", json={"user": "rob"}, headers=admin)
    reader = bearer(reader_key.json()["key"])
    for path in ("chunks", "jobs"):
        assert_error_shape(client.get(f"/v1/documents/{document}/{path}", headers=reader), 404, "not_found")
