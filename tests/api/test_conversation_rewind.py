"""Rewinding a conversation's last turn (Regenerate / Edit in the chat page)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_error_shape, bearer

pytestmark = pytest.mark.integration


def test_rewind_forgets_only_the_named_last_question_and_its_answer(client: TestClient, admin_key: str) -> None:
    headers = bearer(admin_key)
    first = client.post("/v1/chat", json={"message": "What is the leave policy?"}, headers=headers).json()
    conversation = first["conversation_id"]
    client.post("/v1/chat", json={"message": "And carry-over?", "conversation_id": conversation}, headers=headers)
    path = f"/v1/conversations/{conversation}/rewind"
    # Not the last question: nothing is removed (an unsaved turn must not take an older one with it).
    assert client.post(path, json={"question": "What is the leave policy?"}, headers=headers).json() == {"removed": 0}
    assert client.post(path, json={"question": "And carry-over?"}, headers=headers).json() == {"removed": 2}
    messages = client.get(f"/v1/conversations/{conversation}", headers=headers).json()["messages"]
    assert [m["content"] for m in messages if m["role"] == "user"] == ["What is the leave policy?"]
    missing = client.post("/v1/conversations/0123456789abcdef/rewind", json={"question": "x"}, headers=headers)
    assert_error_shape(missing, 404, "not_found")
