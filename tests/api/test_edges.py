"""Edges that hold: commits before responses, upload guards, pagination bounds, security headers."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from api.app import create_app
from core.metadata import accounts
from core.settings import Settings
from tests.conftest import assert_error_shape, bearer

pytestmark = pytest.mark.unit


class CommitFailed(Exception):
    pass


@pytest.fixture
def lenient_client(settings: Settings) -> Iterator[TestClient]:
    """Server errors come back as responses (in our shape) instead of being raised in the test."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


def test_a_failed_commit_never_answers_2xx(
    lenient_client: TestClient, admin_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = lenient_client
    real_create_key = accounts.create_key

    def create_key_then_fail_commit(*, session: Session, **kwargs: Any) -> Any:
        session.info["fail_commit"] = True
        return real_create_key(session=session, **kwargs)

    def refuse(session: Session) -> None:
        if session.info.get("fail_commit"):
            raise CommitFailed("disk full")

    monkeypatch.setattr(accounts, "create_key", create_key_then_fail_commit)
    event.listen(Session, "before_commit", refuse)
    try:
        response = client.post("/v1/admin/keys", json={"user": "ghost", "role": "reader"}, headers=bearer(admin_key))
    finally:
        event.remove(Session, "before_commit", refuse)
    error = assert_error_shape(response, 500, "internal_error")
    assert "kb-" not in response.text and error["details"]["request_id"]
    assert response.headers["x-frame-options"] == "DENY"  # even from the last-resort handler
    assert all(k["user"] != "ghost" for k in client.get("/v1/admin/keys", headers=bearer(admin_key)).json())


def _raw_post(
    app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes], path: str = "/v1/documents"
) -> tuple[int, dict[str, str], bytes, int]:
    """Drive the ASGI app directly: (status, headers, body, how many body chunks the server read)."""
    pending = list(chunks)
    reads = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal reads
        if not pending:
            return {"type": "http.disconnect"}
        reads += 1
        return {"type": "http.request", "body": pending.pop(0), "more_body": bool(pending)}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body, reads


def _multipart(name: str, payload_chunks: int, chunk: bytes) -> tuple[bytes, list[bytes]]:
    boundary = b"kbboundary"
    head = (
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="file"; filename="' + name.encode() + b'"\r\n'
        b"Content-Type: text/plain\r\n\r\n"
    )
    return b"multipart/form-data; boundary=" + boundary, [head] + [chunk] * payload_chunks + [
        b"\r\n--" + boundary + b"--\r\n"
    ]


def test_anonymous_upload_is_refused_before_the_body_is_read(client: TestClient) -> None:
    content_type, chunks = _multipart("big.txt", 100, b"a" * 1024 * 1024)  # 100 MiB
    declared = str(sum(len(c) for c in chunks)).encode()
    headers = [(b"content-type", content_type), (b"content-length", declared)]
    status, response_headers, body, reads = _raw_post(client.app, headers, chunks)
    assert status == 401 and reads == 0
    assert response_headers["www-authenticate"] == "Bearer"
    assert b'"code":"unauthorized"' in body


def test_chunked_oversized_upload_gets_413_in_our_shape(settings: Settings, admin_key: str) -> None:
    small = settings.model_copy(update={"max_upload_mb": 0.01})
    with TestClient(create_app(small)) as client:
        content_type, chunks = _multipart("big.txt", 3, b"a" * 1024 * 1024)  # no Content-Length
        headers = [(b"content-type", content_type), (b"authorization", f"Bearer {admin_key}".encode())]
        status, _, body, reads = _raw_post(client.app, headers, chunks)
        assert status == 413 and reads < len(chunks)
        assert b'"code":"payload_too_large"' in body and b"MiB" in body
        assert client.get("/v1/documents", headers=bearer(admin_key)).json()["total"] == 0


def test_overlong_file_names_and_titles_get_422(client: TestClient, admin_key: str) -> None:
    files = {"file": ("a" * 300 + ".txt", b"hello world", "text/plain")}
    error = assert_error_shape(client.post("/v1/documents", files=files, headers=bearer(admin_key)), 422)
    assert "file name" in error["message"] and error["details"]["max_chars"] == 255
    files = {"file": ("a" * 5000 + ".txt", b"hello world", "text/plain")}  # over the multipart header limit
    error = assert_error_shape(client.post("/v1/documents", files=files, headers=bearer(admin_key)), 400)
    assert "file name" in error["message"]
    files = {"file": ("ok.txt", b"hello world", "text/plain")}
    response = client.post("/v1/documents", files=files, data={"title": "t" * 501}, headers=bearer(admin_key))
    assert_error_shape(response, 422, "invalid_input")
    assert client.get("/v1/documents", headers=bearer(admin_key)).json()["total"] == 0


def test_every_other_body_is_capped_too(client: TestClient, admin_key: str) -> None:
    auth = (b"authorization", f"Bearer {admin_key}".encode())
    json_type = (b"content-type", b"application/json")
    chunks = [b'{"query": "'] + [b"a" * 1024 * 1024] * 17 + [b'"}']
    status, _, body, reads = _raw_post(client.app, [json_type, auth], chunks, path="/v1/search")
    assert status == 413 and reads < len(chunks) and b'"code":"payload_too_large"' in body
    declared = (b"content-length", str(sum(len(c) for c in chunks)).encode())
    status, _, body, reads = _raw_post(client.app, [json_type, auth, declared], chunks, path="/v1/search")
    assert status == 413 and reads == 0
