"""Browser sign-in without a browser: cookies, CSRF, sign-out, languages, admin-only pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from core.metadata import accounts
from core.types import Role
from tests.conftest import assert_error_shape

pytestmark = pytest.mark.integration


def make_user(
    client: TestClient, name: str, role: Role, password: str = "pass-word-1", groups: list[str] | None = None
) -> None:
    with client.app.state.services.db.session() as session:
        accounts.create_user(session=session, name=name, role=role, password=password, groups=groups or [])


def sign_in(client: TestClient, name: str, password: str = "pass-word-1") -> str:
    response = client.post(
        "/login", data={"username": name, "password": password, "next": "/ui/documents"}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/ui/documents"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "kb_session=" in cookie
    page = client.get("/ui/documents")
    return page.text.split('name="csrf-token" content="')[1].split('"')[0]


def test_pages_need_sign_in_and_wrong_passwords_fail(client: TestClient) -> None:
    response = client.get("/ui/chat", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    make_user(client, "rose", Role.reader)
    failed = client.post("/login", data={"username": "rose", "password": "wrong-pass"}, follow_redirects=False)
    assert failed.headers["location"].startswith("/login?failed=1")
    assert "kb_session" not in failed.headers.get("set-cookie", "")
    assert (
        client.post(
            "/login", data={"username": "rose", "password": "x", "next": "//evil.example"}, follow_redirects=False
        ).status_code
        == 303
    )


def test_cookie_session_uses_the_api_with_csrf(client: TestClient) -> None:
    make_user(client, "carl", Role.editor)
    csrf = sign_in(client, "carl")
    assert client.get("/v1/me").json()["name"] == "carl"  # reads need no CSRF token
    without = client.post("/v1/documents", files={"file": ("a.txt", b"hello")})
    assert_error_shape(without, 403, "forbidden")
    assert "CSRF" in without.json()["error"]["message"]
    with_token = client.post("/v1/documents", files={"file": ("a.txt", b"hello")}, headers={"X-CSRF-Token": csrf})
    assert with_token.status_code == 202
    client.post("/logout", data={"csrf": csrf})
    assert_error_shape(client.get("/v1/me"), 401)


def test_admin_pages_are_admin_only_and_languages_switch(client: TestClient) -> None:
    make_user(client, "rita", Role.reader)
    sign_in(client, "rita")
    assert client.get("/ui/admin").status_code == 403
    assert "/ui/admin" not in client.get("/ui/chat").text  # no admin link for readers
    assert 'lang="en"' in client.get("/ui/chat").text
    assert 'lang="zh-CN"' in client.get("/ui/chat", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).text
    client.get("/ui/lang?to=zh-CN&next=/ui/chat")
    page = client.get("/ui/chat", headers={"Accept-Language": "en"})
    assert 'lang="zh-CN"' in page.text and "新对话" in page.text
    assert client.get("/static/app.js").status_code == 200 and client.get("/static/app.css").status_code == 200


def test_citation_text_endpoint(client: TestClient, admin_key: str) -> None:
    from tests.conftest import bearer
    from tests.ingest.test_documents_api import upload, wait_until_done

    document_id = upload(client, admin_key, "t.md", b"# T\n\nAlpha beta gamma. Delta epsilon.").json()["document"]["id"]
    wait_until_done(client, admin_key, document_id)
    around = client.get(f"/v1/documents/{document_id}/text?start=3&end=19&window=3", headers=bearer(admin_key)).json()
    assert (around["before"], around["quote"], around["after"]) == ("T\n\n", "Alpha beta gamma", ". D")
