"""Legacy-encoded uploads end to end: a Big5 handbook becomes ready and is found in Traditional
Chinese; a badly damaged UTF-8 file ends failed with a reason instead of ready with mojibake."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.ingest.test_documents_api import upload, wait_until_done
from tests.ingest.test_encodings import BIG5, GB18030

pytestmark = pytest.mark.slow


def test_big5_upload_is_ready_and_found_by_a_traditional_chinese_query(client: TestClient, admin_key: str) -> None:
    document_id = upload(client, admin_key, "員工手冊.txt", BIG5.encode("big5")).json()["document"]["id"]
    document = wait_until_done(client, admin_key, document_id)
    assert document["status"] == "ready" and document["error"] is None
    results = client.post(
        "/v1/search", json={"query": "出差費用報銷期限", "top_k": 3, "mode": "lexical"}, headers=bearer(admin_key)
    ).json()["results"]
    assert results and results[0]["document_id"] == document_id
    assert "三十天內檢附發票報銷" in results[0]["text"]


def test_damaged_utf8_upload_fails_with_a_reason(client: TestClient, admin_key: str) -> None:
    data = bytearray((GB18030 * 3).encode())
    for position in range(50, len(data), 60):
        data[position] = 0xFF
    body = upload(client, admin_key, "broken.txt", bytes(data)).json()["document"]
    document = wait_until_done(client, admin_key, body["id"])
    assert document["status"] == "failed" and "invalid bytes" in document["error"]
