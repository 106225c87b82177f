"""Sign-in that holds: equal work for every failure, throttling, session ends, proxies, headers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from api.app import create_app
from api.proxy import client_address, is_https
from core.errors import Unauthorized
from core.metadata import accounts
from core.settings import Settings
from core.throttle import SignInThrottle
from core.types import Role
from tests.conftest import bearer
from tests.ui.test_sessions import make_user, sign_in

pytestmark = pytest.mark.unit


def _attempt(client: TestClient, name: str, password: str) -> Any:
    return client.post("/login", data={"username": name, "password": password}, follow_redirects=False)


def test_every_failed_sign_in_runs_scrypt_once(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(client, "has-pass", Role.reader)
    db = client.app.state.services.db  # type: ignore[attr-defined]
    with db.session() as session:
        accounts.create_user(session=session, name="no-pass", role=Role.reader)
        accounts.authenticate_password(session=session, name="has-pass", password="pass-word-1")  # warm up
        with pytest.raises(Unauthorized):
            accounts.authenticate_password(session=session, name="nobody", password="x")
    calls: list[int] = []
    real_scrypt = hashlib.scrypt

    def counting_scrypt(*args: Any, **kwargs: Any) -> bytes:
        calls.append(1)
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    for name in ("nobody", "no-pass", "has-pass"):
        calls.clear()
        with db.session() as session, pytest.raises(Unauthorized, match="wrong user name"):
            accounts.authenticate_password(session=session, name=name, password="wrong-password")
        assert len(calls) == 1, name


@pytest.fixture
def strict(settings: Settings) -> Iterator[TestClient]:
    tight = settings.model_copy(update={"signin_max_failures_per_user": 3, "signin_max_failures_per_address": 7})
    with TestClient(create_app(tight)) as test_client:
        yield test_client


def test_failed_sign_ins_are_throttled_per_name_without_telling_names_apart(strict: TestClient) -> None:
    make_user(strict, "rose", Role.reader)
    answers = {}
    for name in ("rose", "nobody"):
        for _ in range(3):
            assert _attempt(strict, name, "wrong-password").status_code == 303
        throttled = _attempt(strict, name, "pass-word-1")  # even the right password waits
        assert throttled.status_code == 429
        assert 0 < int(throttled.headers["retry-after"]) <= 900
        assert "kb_session" not in throttled.headers.get("set-cookie", "")
        answers[name] = throttled.text
    assert answers["rose"] == answers["nobody"]


def test_failed_sign_ins_are_throttled_per_address(strict: TestClient) -> None:
    make_user(strict, "ivy", Role.reader)
    for index in range(7):
        assert _attempt(strict, f"guess-{index}", "wrong-password").status_code == 303
    assert _attempt(strict, "ivy", "pass-word-1").status_code == 429


def test_throttle_window_and_success_reset() -> None:
    now = [1000.0]
    throttle = SignInThrottle(max_per_user=2, max_per_address=100, window_s=60, clock=lambda: now[0])
    throttle.failed("Ann", "10.0.0.1")
    now[0] += 10
    throttle.failed("ann ", "10.0.0.2")  # same name, however typed
    assert throttle.retry_after("ANN", "10.0.0.3") == 50
    now[0] += 50
    assert throttle.retry_after("ann", "10.0.0.3") == 0
    throttle.failed("ann", "10.0.0.1")
    throttle.succeeded("ann")
    assert throttle.retry_after("ann", "10.0.0.1") == 0


def test_a_new_password_ends_the_users_other_sessions(client: TestClient, admin_key: str) -> None:
    make_user(client, "otto", Role.reader)
    sign_in(client, "otto")
    assert client.get("/v1/me").status_code == 200
    response = client.patch("/v1/admin/users/otto", json={"password": "new-pass-word"}, headers=bearer(admin_key))
    assert response.status_code == 200
    assert client.get("/v1/me").status_code == 401
    make_user(client, "boss", Role.admin)
    csrf = sign_in(client, "boss")
    with TestClient(client.app) as other_browser:
        sign_in(other_browser, "boss")
        changed = client.patch(
            "/v1/admin/users/boss", json={"password": "next-pass-word"}, headers={"X-CSRF-Token": csrf}
        )
        assert changed.status_code == 200
        assert client.get("/v1/me").status_code == 200  # the session that changed it stays
        assert other_browser.get("/v1/me").status_code == 401


def _request(peer: str, headers: dict[str, str], scheme: str = "http") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request(
        {"type": "http", "scheme": scheme, "headers": raw, "client": (peer, 1), "path": "/", "server": ("kb", 80)}
    )


def test_forwarded_headers_count_only_from_trusted_proxies() -> None:
    trusted = ["10.0.0.0/8"]
    forged = {"x-forwarded-for": "1.2.3.4", "x-forwarded-proto": "https"}
    assert client_address(_request("203.0.113.9", forged), trusted) == "203.0.113.9"
    assert not is_https(_request("203.0.113.9", forged), trusted)
    assert client_address(_request("10.1.1.1", forged), trusted) == "1.2.3.4"
    assert is_https(_request("10.1.1.1", forged), trusted)
    chain = {"x-forwarded-for": "6.6.6.6, 198.51.100.7, 10.2.2.2"}  # the leftmost hop is the client's claim
    assert client_address(_request("10.1.1.1", chain), trusted) == "198.51.100.7"
    assert client_address(_request("10.1.1.1", forged), []) == "10.1.1.1"
    assert is_https(_request("203.0.113.9", {}, scheme="https"), [])


def test_session_cookie_is_secure_behind_a_trusted_tls_proxy(settings: Settings) -> None:
    proxied = settings.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    app = create_app(proxied)
    for peer, secure in ((("127.0.0.1", 5), True), (("192.0.2.1", 5), False)):
        with TestClient(app, client=peer) as client:
            if secure:
                make_user(client, "tess", Role.reader)
            response = client.post(
                "/login",
                data={"username": "tess", "password": "pass-word-1"},
                headers={"X-Forwarded-Proto": "https"},
                follow_redirects=False,
            )
            assert response.status_code == 303
            assert ("Secure" in response.headers["set-cookie"]) is secure


def test_trusted_proxies_setting_is_validated() -> None:
    assert Settings(trusted_proxies="10.0.0.1, 192.168.0.0/16").trusted_proxies == ["10.0.0.1", "192.168.0.0/16"]
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(trusted_proxies="proxy.local")


@pytest.mark.parametrize("path", ["/login", "/v1/me", "/healthz", "/static/app.js", "/no/such/route"])
def test_security_headers_on_pages_and_api(client: TestClient, admin_key: str, path: str) -> None:
    response = client.get(path, headers=bearer(admin_key))
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy


def test_pages_have_no_inline_scripts(client: TestClient) -> None:
    make_user(client, "page-admin", Role.admin)
    sign_in(client, "page-admin")
    for page in ("/ui/chat", "/ui/documents", "/ui/admin", "/ui/usage"):
        html = client.get(page).text
        scripts = html.split("<script")[1:]
        assert scripts and all(
            ' src="/static/' in s.split(">")[0] or 'type="application/json"' in s.split(">")[0] for s in scripts
        )
        assert " style=" not in html and " on" + "click=" not in html


def test_the_address_throttle_uses_forwarded_addresses_only_from_trusted_proxies(settings: Settings) -> None:
    tight = settings.model_copy(update={"signin_max_failures_per_address": 3, "trusted_proxies": ["127.0.0.1"]})
    app = create_app(tight)

    def attempts(client: TestClient, forwarded_for: str, count: int) -> list[int]:
        return [
            client.post(
                "/login",
                data={"username": f"guess-{forwarded_for}-{i}", "password": "wrong-password"},
                headers={"X-Forwarded-For": forwarded_for},
                follow_redirects=False,
            ).status_code
            for i in range(count)
        ]

    with TestClient(app, client=("127.0.0.1", 5)) as behind_proxy:
        assert attempts(behind_proxy, "198.51.100.1", 4) == [303, 303, 303, 429]
        assert attempts(behind_proxy, "198.51.100.2", 1) == [303]  # another browser behind the proxy
    with TestClient(app, client=("192.0.2.9", 5)) as direct:
        # Not a trusted proxy: a forged X-Forwarded-For does not dodge the throttle.
        assert [attempts(direct, f"203.0.113.{i}", 1)[0] for i in range(4)] == [303, 303, 303, 429]
