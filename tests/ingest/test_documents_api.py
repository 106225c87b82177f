"""Upload → ingest → store through the REST API, with the real embedder and embedded Qdrant."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from core.vectorstore import StoreFilter
from tests.conftest import assert_error_shape, bearer
from tests.factories import make_pdf

pytestmark = pytest.mark.integration

POLICY = b"# Travel policy\n\nBook economy class for flights under six hours. Hotels up to 200 euros per night.\n"


def upload(client: TestClient, key: str, name: str, data: bytes, **form: str):  # type: ignore[no-untyped-def]
    return client.post("/v1/documents", files={"file": (name, data)}, data=form, headers=bearer(key))


def wait_until_done(client: TestClient, key: str, document_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document = client.get(f"/v1/documents/{document_id}", headers=bearer(key)).json()
        if document["status"] in ("ready", "failed"):
            return document
        time.sleep(0.2)
    pytest.fail(f"document {document_id} did not finish in {timeout} s")


def points(client: TestClient, **where) -> list:  # type: ignore[no-untyped-def]
    return client.app.state.services.vector_store.get().fetch(StoreFilter(**where))


def make_user_key(client: TestClient, admin_key: str, user: str, role: str, groups: list[str]) -> str:
    return client.post(
        "/v1/admin/keys", json={"user": user, "role": role, "groups": groups}, headers=bearer(admin_key)
    ).json()["key"]


def test_upload_returns_at_once_and_document_becomes_ready(client: TestClient, admin_key: str) -> None:
    response = upload(client, admin_key, "travel.md", POLICY, title="Travel rules")
    assert response.status_code == 202
    body = response.json()
    assert body["duplicate"] is False and body["document"]["status"] == "queued"
    document = wait_until_done(client, admin_key, body["document"]["id"])
    assert document["status"] == "ready", document["error"]
    assert document["title"] == "Travel rules" and document["source"] == "travel.md"
    assert document["chunks"] >= 1 and document["progress"] == {"done": document["chunks"], "total": document["chunks"]}
    assert document["uploader"] == "admin" and document["size_bytes"] == len(POLICY)
    assert len(document["sha256"]) == 64 and document["format"] == "markdown"
    stored = points(client, document_ids=[document["id"]])
    assert len(stored) == document["chunks"]
    payload = stored[0].payload
    assert payload["collection_id"] != "" and not payload["collection_id"].startswith("staging:")
    assert payload["read_groups"] == ["everyone"] and payload["heading"] == "Travel policy"
    assert {"document_id", "title", "source", "page", "char_start", "char_end", "token_count", "content_hash"} <= set(
        payload
    )
    assert payload["script"] == "latn"  # the cross-lingual list filters on it


def test_pdf_pages_reach_the_chunks(client: TestClient, admin_key: str) -> None:
    pages = [[f"Page {p} sentence {i} is about budgets." for i in range(40)] for p in (1, 2)]
    document_id = upload(client, admin_key, "budget.pdf", make_pdf(pages)).json()["document"]["id"]
    document = wait_until_done(client, admin_key, document_id)
    assert document["pages"] == 2
    for point in points(client, document_ids=[document_id]):
        text = point.payload["text"]
        expected = sorted({int(text[i + 5]) for i in range(len(text)) if text.startswith("Page ", i)})
        assert point.payload["pages"] == expected and point.payload["page"] == expected[0]


def test_identical_bytes_are_not_ingested_twice(client: TestClient, admin_key: str) -> None:
    first = upload(client, admin_key, "travel.md", POLICY).json()["document"]
    wait_until_done(client, admin_key, first["id"])
    again = upload(client, admin_key, "copy-of-travel.md", POLICY)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["document"]["id"] == first["id"]
    assert client.get("/v1/documents", headers=bearer(admin_key)).json()["total"] == 1


def test_new_version_replaces_old_chunks_once_stored(client: TestClient, admin_key: str) -> None:
    first = upload(client, admin_key, "travel.md", POLICY).json()["document"]
    wait_until_done(client, admin_key, first["id"])
    updated = POLICY.replace(b"200 euros", b"250 euros")
    response = upload(client, admin_key, "travel.md", updated).json()
    assert response["document"]["id"] == first["id"] and response["document"]["version"] == 2
    done = wait_until_done(client, admin_key, first["id"])
    texts = [p.payload["text"] for p in points(client, document_ids=[first["id"]])]
    assert done["version"] == 2 and len(texts) == done["chunks"]
    assert any("250 euros" in t for t in texts) and not any("200 euros" in t for t in texts)


def test_delete_and_reindex(client: TestClient, admin_key: str) -> None:
    document_id = upload(client, admin_key, "travel.md", POLICY).json()["document"]["id"]
    ready = wait_until_done(client, admin_key, document_id)
    reindexed = client.post(f"/v1/documents/{document_id}/reindex", headers=bearer(admin_key))
    assert reindexed.status_code == 202 and reindexed.json()["status"] == "queued"
    again = wait_until_done(client, admin_key, document_id)
    assert again["version"] == ready["version"] + 1 and again["chunks"] == ready["chunks"]
    assert len(points(client, document_ids=[document_id])) == ready["chunks"]
    original = client.get(f"/v1/documents/{document_id}/file", headers=bearer(admin_key))
    assert original.status_code == 200 and original.content == POLICY

    assert client.delete(f"/v1/documents/{document_id}", headers=bearer(admin_key)).status_code == 204
    assert points(client, document_ids=[document_id]) == []
    assert_error_shape(client.get(f"/v1/documents/{document_id}", headers=bearer(admin_key)), 404, "not_found")


def test_bad_uploads(client: TestClient, admin_key: str) -> None:
    error = assert_error_shape(upload(client, admin_key, "photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100), 415)
    assert "PNG image" in error["message"]
    empty = upload(client, admin_key, "empty.txt", b"")
    assert empty.status_code == 202
    assert empty.json()["document"]["status"] == "failed" and empty.json()["document"]["error"] == "the file is empty"
    truncated = upload(client, admin_key, "cut.pdf", make_pdf([["Some text here."]])[:300]).json()["document"]
    failed = wait_until_done(client, admin_key, truncated["id"])
    assert failed["status"] == "failed" and "damaged or truncated" in failed["error"]
    good = upload(client, admin_key, "travel.md", POLICY).json()["document"]
    assert wait_until_done(client, admin_key, good["id"])["status"] == "ready"  # others untouched
    assert client.get("/healthz").status_code == 200


def test_oversized_upload_is_refused_before_reading(settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    small = settings.model_copy(update={"max_upload_mb": 0.01})
    with TestClient(create_app(small)) as client:
        huge = b"a" * (3 * 1024 * 1024)
        error = assert_error_shape(upload(client, admin_key, "huge.txt", huge), 413, "payload_too_large")
        assert "MiB" in error["message"]
        just_over = b"word " * 2500  # over the limit but within the multipart allowance: counted while saving
        assert_error_shape(upload(client, admin_key, "over.txt", just_over), 413, "payload_too_large")
        assert client.get("/v1/documents", headers=bearer(admin_key)).json()["total"] == 0


def test_write_access_and_visibility(client: TestClient, admin_key: str) -> None:
    headers = bearer(admin_key)
    client.post(
        "/v1/admin/collections",
        json={"name": "legal", "read_groups": ["legal"], "write_groups": ["legal"]},
        headers=headers,
    )
    legal_editor = make_user_key(client, admin_key, "lena", "editor", ["legal"])
    sales_editor = make_user_key(client, admin_key, "sam", "editor", ["sales"])
    legal_reader = make_user_key(client, admin_key, "rita", "reader", ["legal"])

    assert_error_shape(upload(client, legal_reader, "x.md", POLICY, collection="legal"), 403, "forbidden")
    assert_error_shape(upload(client, sales_editor, "x.md", POLICY, collection="legal"), 404, "not_found")
    created = upload(client, legal_editor, "contract.md", b"# NDA\n\nConfidential terms.", collection="legal")
    assert created.status_code == 202
    document_id = created.json()["document"]["id"]
    wait_until_done(client, legal_editor, document_id)

    assert client.get(f"/v1/documents/{document_id}", headers=bearer(legal_reader)).status_code == 200
    assert_error_shape(client.get(f"/v1/documents/{document_id}", headers=bearer(sales_editor)), 404)
    assert_error_shape(client.get(f"/v1/documents/{document_id}/file", headers=bearer(sales_editor)), 404)
    assert_error_shape(client.delete(f"/v1/documents/{document_id}", headers=bearer(sales_editor)), 404)
    assert_error_shape(client.delete(f"/v1/documents/{document_id}", headers=bearer(legal_reader)), 403)
    assert client.get("/v1/documents", headers=bearer(sales_editor)).json()["total"] == 0
    assert_error_shape(client.get("/v1/documents?collection=legal", headers=bearer(sales_editor)), 404)
    assert client.get("/v1/documents", headers=bearer(legal_reader)).json()["total"] == 1


def test_listing_filters_and_pagination(client: TestClient, admin_key: str) -> None:
    ids = [
        upload(client, admin_key, f"note-{i}.txt", f"Note number {i}.".encode()).json()["document"]["id"]
        for i in range(5)
    ]
    upload(client, admin_key, "empty.txt", b"")
    for document_id in ids:
        wait_until_done(client, admin_key, document_id)
    headers = bearer(admin_key)
    page = client.get("/v1/documents?limit=2&offset=2", headers=headers).json()
    assert page["total"] == 6 and len(page["items"]) == 2 and page["offset"] == 2
    assert client.get("/v1/documents?status=failed", headers=headers).json()["total"] == 1
    assert client.get("/v1/documents?q=note-3", headers=headers).json()["items"][0]["source"] == "note-3.txt"
    assert_error_shape(client.get("/v1/documents?status=bogus", headers=headers), 422, "invalid_input")
