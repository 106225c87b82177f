import logging

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_error_shape, bearer

pytestmark = pytest.mark.integration


def make_key(client: TestClient, admin_key: str, user: str, role: str, groups: list[str] | None = None) -> str:
    response = client.post(
        "/v1/admin/keys", json={"user": user, "role": role, "groups": groups or []}, headers=bearer(admin_key)
    )
    assert response.status_code == 201, response.text
    return response.json()["key"]


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True
    assert "x-request-id" in ready.headers


def test_missing_malformed_and_unknown_keys_get_401(client: TestClient) -> None:
    error = assert_error_shape(client.get("/v1/admin/users"), 401, "unauthorized")
    assert "Bearer" in error["message"]
    assert_error_shape(client.get("/v1/me", headers={"Authorization": "Basic abc"}), 401, "unauthorized")
    assert_error_shape(client.get("/v1/me", headers=bearer("kb-not-a-real-key-000000000")), 401, "unauthorized")


def test_revoked_key_gets_401(client: TestClient, admin_key: str) -> None:
    key = make_key(client, admin_key, "temp", "reader")
    assert client.get("/v1/me", headers=bearer(key)).json()["name"] == "temp"
    keys = client.get("/v1/admin/keys", headers=bearer(admin_key)).json()
    key_id = next(k["id"] for k in keys if k["user"] == "temp")
    assert client.delete(f"/v1/admin/keys/{key_id}", headers=bearer(admin_key)).json()["revoked_at"]
    error = assert_error_shape(client.get("/v1/me", headers=bearer(key)), 401, "unauthorized")
    assert "revoked" in error["message"]


@pytest.mark.parametrize("role", ["reader", "editor"])
def test_non_admins_get_403_on_admin_endpoints(client: TestClient, admin_key: str, role: str) -> None:
    key = make_key(client, admin_key, f"user-{role}", role)
    for method, path in [("get", "/v1/admin/users"), ("post", "/v1/admin/keys"), ("get", "/v1/admin/collections")]:
        response = getattr(client, method)(path, headers=bearer(key), **({"json": {}} if method == "post" else {}))
        assert_error_shape(response, 403, "forbidden")


def test_admin_manages_users_groups_collections_and_keys(client: TestClient, admin_key: str) -> None:
    headers = bearer(admin_key)
    collections = client.get("/v1/admin/collections", headers=headers).json()
    default = next(c for c in collections if c["name"] == "default")
    assert default["read_groups"] == ["everyone"] and default["write_groups"] == ["everyone"]

    created = client.post(
        "/v1/admin/users", json={"name": "frank", "role": "editor", "groups": ["legal"]}, headers=headers
    )
    assert created.status_code == 201 and created.json()["groups"] == ["legal"]
    assert_error_shape(
        client.post("/v1/admin/users", json={"name": "frank", "role": "editor"}, headers=headers), 409, "conflict"
    )
    assert client.post("/v1/admin/groups", json={"name": "hr"}, headers=headers).status_code == 201
    groups = {g["name"]: g["members"] for g in client.get("/v1/admin/groups", headers=headers).json()}
    assert groups["legal"] == ["frank"] and groups["hr"] == []

    collection = client.post(
        "/v1/admin/collections",
        json={"name": "contracts", "read_groups": ["legal", "hr"], "write_groups": ["legal"]},
        headers=headers,
    )
    assert collection.status_code == 201
    assert collection.json()["read_groups"] == ["hr", "legal"]
    patched = client.patch("/v1/admin/collections/contracts", json={"read_groups": ["legal"]}, headers=headers)
    assert patched.json()["read_groups"] == ["legal"] and patched.json()["write_groups"] == ["legal"]

    key = client.post("/v1/admin/keys", json={"user": "frank"}, headers=headers).json()
    assert key["key"].startswith("kb-") and key["role"] == "editor"
    listed = client.get("/v1/admin/keys", headers=headers).text
    assert key["key"] not in listed  # shown once, at creation only
    assert client.get("/v1/me", headers=bearer(key["key"])).json()["groups"] == ["legal"]

    assert client.delete("/v1/admin/users/frank", headers=headers).status_code == 204
    assert_error_shape(client.get("/v1/me", headers=bearer(key["key"])), 401)
    assert_error_shape(client.delete("/v1/admin/collections/default", headers=headers), 422, "invalid_input")


def test_error_shape_for_unknown_route_method_and_validation(client: TestClient, admin_key: str) -> None:
    assert_error_shape(client.get("/no/such/route"), 404, "not_found")
    assert_error_shape(client.put("/healthz"), 405, "method_not_allowed")
    error = assert_error_shape(
        client.post("/v1/admin/users", json={"name": "bad name!", "role": "king"}, headers=bearer(admin_key)),
        422,
        "invalid_input",
    )
    assert {tuple(d["loc"]) for d in error["details"]} >= {("body", "name"), ("body", "role")}
    assert_error_shape(
        client.post(
            "/v1/admin/users", content=b"{not json", headers={**bearer(admin_key), "content-type": "application/json"}
        ),
        422,
        "invalid_input",
    )


def test_unexpected_errors_use_the_shape_and_carry_the_request_id(settings) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom", headers={"X-Request-ID": "req-123"})
    error = assert_error_shape(response, 500, "internal_error")
    assert error["details"] == {"request_id": "req-123"}
    assert "kaboom" not in response.text


def test_keys_never_appear_in_logs(client: TestClient, admin_key: str, caplog: pytest.LogCaptureFixture) -> None:
    from core.logging import JsonFormatter

    caplog.set_level(logging.DEBUG)
    new_key = make_key(client, admin_key, "logged", "reader")
    client.get("/v1/me", headers=bearer(new_key))
    client.get("/v1/me", headers=bearer("kb-wrong-key-1234567890abc"))
    formatter = JsonFormatter()
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert '"path": "/v1/me"' in text  # the access log is there…
    for secret in (admin_key, new_key, "kb-wrong-key-1234567890abc"):
        assert secret not in text  # …but never a key


def test_every_v1_route_needs_a_caller(client: TestClient) -> None:
    """Walks the OpenAPI spec so that no route added later can forget authentication."""
    checked = 0
    for path, methods in client.app.openapi()["paths"].items():
        if not path.startswith("/v1/"):
            continue
        concrete = path.replace("{", "").replace("}", "")  # any value will do for path parameters
        for method in methods:
            response = client.request(method.upper(), concrete)
            assert_error_shape(response, 401, "unauthorized")
            checked += 1
    assert checked >= 30
