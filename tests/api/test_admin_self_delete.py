"""An admin cannot delete their own account (the page hides the button; the server refuses too)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_error_shape, bearer

pytestmark = pytest.mark.integration


def test_an_admin_cannot_delete_themselves_but_can_delete_others(client: TestClient, admin_key: str) -> None:
    me = client.get("/v1/me", headers=bearer(admin_key)).json()["name"]
    refused = client.delete(f"/v1/admin/users/{me}", headers=bearer(admin_key))
    assert "own account" in assert_error_shape(refused, 409, "conflict")["message"]
    assert client.get(f"/v1/admin/users/{me}", headers=bearer(admin_key)).status_code == 200
    client.post("/v1/admin/users", json={"name": "temp", "role": "reader"}, headers=bearer(admin_key))
    assert client.delete("/v1/admin/users/temp", headers=bearer(admin_key)).status_code == 204
