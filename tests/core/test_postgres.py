"""The metadata DB on PostgreSQL (the docker-compose setup). Opt-in: set KB_TEST_POSTGRES_URL to a
scratch database, e.g. postgresql+psycopg://kbtest:kbtest@127.0.0.1/kbtest (its tables are dropped)."""

from __future__ import annotations

import os
import time

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import bearer

URL = os.environ.get("KB_TEST_POSTGRES_URL", "")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not URL, reason="set KB_TEST_POSTGRES_URL to test PostgreSQL"),
]


def test_full_flow_on_postgresql(settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from core.metadata.db import Database
    from core.metadata.models import Base

    scratch = Database(URL)
    with scratch.engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    assert scratch.migrate() == scratch.migrate()  # idempotent
    scratch.close()

    configured = settings.model_copy(update={"database_url": URL, "embedding_provider": "fake"})
    with TestClient(create_app(configured)) as client:
        headers = bearer(admin_key)
        assert client.get("/readyz").json()["checks"]["database"] is True
        client.post(
            "/v1/admin/collections", json={"name": "hr", "read_groups": ["hr"], "write_groups": ["hr"]}, headers=headers
        )
        reader = client.post(
            "/v1/admin/keys",
            json={"user": "pat", "role": "reader", "groups": ["hr"], "monthly_token_budget": 100000},
            headers=headers,
        ).json()["key"]
        document = client.post(
            "/v1/documents",
            files={"file": ("leave.md", b"# Leave\n\nAnnual leave is fifteen days.")},
            data={"collection": "hr"},
            headers=headers,
        ).json()["document"]
        for _ in range(100):
            if client.get(f"/v1/documents/{document['id']}", headers=headers).json()["status"] == "ready":
                break
            time.sleep(0.2)
        answer = client.post("/v1/chat", json={"message": "How long is annual leave?"}, headers=bearer(reader)).json()
        assert answer["citations"] and answer["citations"][0]["document_id"] == document["id"]
        for group_by in ("user", "model", "day"):
            rows = client.get(f"/v1/usage?group_by={group_by}", headers=headers).json()
            assert rows and rows[0]["requests"] == 1
        day = client.get("/v1/usage?group_by=day", headers=headers).json()[0]["key"]
        assert len(day) == 10 and day[4] == "-"
        assert client.get("/v1/conversations", headers=bearer(reader)).json()
