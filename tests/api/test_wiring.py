"""Explicit wiring: each component is its own FastAPI dependency (tests replace one at a time),
heavy parts are built only when used, and deleting a document never loads the embedding model."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from answer.turn import ChatResult, ChatUsage
from api.app import create_app
from api.deps import get_chat_service
from api.wiring import build_services
from core.settings import Settings
from core.types import Principal
from tests.conftest import bearer
from tests.ingest.test_documents_api import POLICY, points, upload, wait_until_done

pytestmark = pytest.mark.unit


class FakeChat:
    """Stands in for ChatService: records what the route asked, answers a fixed text."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str, dict[str, Any]]] = []

    def start(self, principal: Principal, message: str, **options: Any) -> str:
        self.asked.append((principal.name, message, options))
        return "turn-1"

    def run(self, turn: str) -> ChatResult:
        assert turn == "turn-1"
        return ChatResult(
            answer="an answer from the fake",
            citations=[],
            conversation_id="conversation-1",
            message_id="message-1",
            mode="extractive",
            usage=ChatUsage(
                model="fake", prompt_tokens=0, completion_tokens=5, total_tokens=5, cost=0.0, latency_ms=1.0
            ),
            moderation={"flagged": False, "categories": [], "stage": None},
        )


def test_one_dependency_can_be_replaced_alone(settings: Settings, admin_key: str) -> None:
    fake = FakeChat()
    app = create_app(settings)
    app.dependency_overrides[get_chat_service] = lambda: fake
    with TestClient(app) as client:
        answer = client.post("/v1/chat", json={"message": "hello", "collection": "default"}, headers=bearer(admin_key))
        assert answer.status_code == 200 and answer.json()["answer"] == "an answer from the fake"
        completion = client.post(
            "/v1/chat/completions", json={"messages": [{"role": "user", "content": "again"}]}, headers=bearer(admin_key)
        ).json()
        assert completion["choices"][0]["message"]["content"] == "an answer from the fake"
        assert [(name, message) for name, message, _ in fake.asked] == [("admin", "hello"), ("admin", "again")]
        assert fake.asked[0][2] == {"conversation_id": None, "collection": "default"}
        # Everything else is the real wiring: authentication read the real database.
        assert client.get("/v1/me", headers=bearer(admin_key)).json()["name"] == "admin"
        assert not app.state.services.chat.built  # the real ChatService was never needed


def test_commands_that_only_need_the_database_build_nothing_heavy(settings: Settings) -> None:
    services = build_services(settings)
    services.bootstrap()
    heavy = [services.embedder, services.vector_store, services.parser, services.pipeline, services.retrieval]
    assert not any(component.built for component in [*heavy, services.chat])
    services.close()


def test_deleting_a_document_does_not_load_the_embedding_model(settings: Settings, admin_key: str) -> None:
    with TestClient(create_app(settings)) as client:
        document_id = upload(client, admin_key, "travel.md", POLICY).json()["document"]["id"]
        assert wait_until_done(client, admin_key, document_id)["status"] == "ready"
    texts = settings.data_dir / "texts"
    assert list(texts.glob(f"{document_id}.v*.txt"))

    def no_embedder():  # type: ignore[no-untyped-def]
        raise AssertionError("deleting a document must not build the embedder")

    services = build_services(settings, embedder_factory=no_embedder)
    with TestClient(create_app(settings, services)) as client:
        assert len(points(client, document_ids=[document_id])) >= 1
        assert client.delete(f"/v1/documents/{document_id}", headers=bearer(admin_key)).status_code == 204
        assert points(client, document_ids=[document_id]) == []
        assert not services.embedder.built and not services.pipeline.built
    assert not list(texts.glob(f"{document_id}.v*.txt"))
