"""Every input has a size limit, stated in the OpenAPI schema and enforced with a 422 in our shape."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_error_shape, bearer

pytestmark = pytest.mark.unit


def _unbounded(schema: dict[str, Any], where: str, components: dict[str, Any], seen: frozenset[str]) -> list[str]:
    """Every string without maxLength and every array without maxItems inside ``schema``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], f"{where}({name})", components, seen | {name})
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(sub, where, components, seen)
    kind = schema.get("type")
    is_file = "contentMediaType" in schema or schema.get("format") == "binary"  # bounded by the upload limit
    if kind == "string" and not is_file and not {"maxLength", "enum", "const"} & set(schema):
        found.append(f"{where}: string without maxLength")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: array without maxItems")
        found += _unbounded(schema.get("items", {}), f"{where}[]", components, seen)
    for name, sub in schema.get("properties", {}).items():
        found += _unbounded(sub, f"{where}.{name}", components, seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _unbounded(schema["additionalProperties"], f"{where}{{}}", components, seen)
    return found


def test_every_request_body_field_has_a_size_limit(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    components = spec["components"]["schemas"]
    unbounded: list[str] = []
    bodies = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for content_type, content in operation.get("requestBody", {}).get("content", {}).items():
                bodies += 1
                where = f"{method.upper()} {path} {content_type}"
                unbounded += _unbounded(content["schema"], where, components, frozenset())
    assert bodies >= 10
    assert unbounded == []


def test_every_list_endpoint_refuses_out_of_range_paging(client: TestClient, admin_key: str) -> None:
    spec = client.get("/openapi.json").json()
    paged = [
        path
        for path, operations in spec["paths"].items()
        if "get" in operations and {"limit", "offset"} <= {p["name"] for p in operations["get"].get("parameters", [])}
    ]
    expected = {"/v1/documents", "/v1/conversations", "/v1/admin/users", "/v1/admin/groups", "/v1/admin/keys"}
    assert expected | {"/v1/admin/collections"} <= set(paged)
    for path in paged:
        for query in ({"offset": 10**30}, {"limit": -1}, {"limit": 10**30}, {"offset": -1}, {"limit": 0}):
            response = client.get(path, params=query, headers=bearer(admin_key))
            assert_error_shape(response, 422, "invalid_input")
        if "{" not in path:  # an in-range page of a top-level list is fine, even past the end
            assert client.get(path, params={"offset": 10**6, "limit": 1}, headers=bearer(admin_key)).status_code == 200


def test_an_oversized_completion_is_refused_at_once(client: TestClient, admin_key: str) -> None:
    started = time.perf_counter()
    huge = {"messages": [{"role": "user", "content": "a" * 2_000_000}]}
    error = assert_error_shape(client.post("/v1/chat/completions", json=huge, headers=bearer(admin_key)), 422)
    assert "messages" in error["message"]
    assert time.perf_counter() - started < 2
    many = {"messages": [{"role": "user", "content": "hi"}] * 101}
    assert_error_shape(client.post("/v1/chat/completions", json=many, headers=bearer(admin_key)), 422)
    long_question = {"messages": [{"role": "user", "content": "q" * 8001}]}
    error = assert_error_shape(client.post("/v1/chat/completions", json=long_question, headers=bearer(admin_key)), 422)
    assert error["details"]["max_chars"] == 8000
    parts = {"messages": [{"role": "user", "content": [{"type": "text", "text": "a" * 40_000}]}]}
    assert_error_shape(client.post("/v1/chat/completions", json=parts, headers=bearer(admin_key)), 422)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat", {"message": "a" * 8001}),
        ("/v1/search", {"query": "检" * 2001}),
        ("/v1/context", {"query": "q" * 2001}),
        ("/v1/search", {"query": "q", "collection": "c" * 121}),
        ("/v1/moderations", {"input": ["x"] * 33}),
        ("/v1/admin/users", {"name": "u" * 121, "role": "reader"}),
        ("/v1/admin/users", {"name": "u", "password": "p" * 201}),
        ("/v1/admin/users", {"name": "u", "groups": ["g"] * 101}),
        ("/v1/admin/users", {"name": "u", "groups": ["g" * 121]}),
        ("/v1/admin/groups", {"name": "g" * 121}),
        ("/v1/admin/collections", {"name": "c", "description": "d" * 2001}),
        ("/v1/admin/keys", {"user": "u", "role": "reader", "name": "n" * 121}),
    ],
)
def test_oversized_fields_get_422(client: TestClient, admin_key: str, path: str, body: dict[str, Any]) -> None:
    error = assert_error_shape(client.post(path, json=body, headers=bearer(admin_key)), 422, "invalid_input")
    assert "at most" in error["message"] or "too long" in error["message"].lower()
