"""End to end without an LLM over the five Chinese OpenAI-platform articles: the answer quotes what
answers the question, verbatim, and an unanswerable question gets ``no_answer``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from answer.prompts import NO_ANSWER
from tests.api.test_chat import assert_quotes_verbatim
from tests.conftest import CORPUS, bearer, require_shared
from tests.ingest.test_documents_api import upload, wait_until_done

pytestmark = pytest.mark.integration


def test_extractive_answers_over_the_openai_platform_articles(client: TestClient, admin_key: str, settings) -> None:  # type: ignore[no-untyped-def]
    folder = require_shared(CORPUS / "openai-platform-zh")
    for path in sorted(folder.glob("*.txt")):
        document = upload(client, admin_key, path.name, path.read_bytes()).json()["document"]
        assert wait_until_done(client, admin_key, document["id"])["status"] == "ready"
    headers = bearer(admin_key)

    whisper = client.post("/v1/chat", json={"message": "Whisper 模型是做什么用的？"}, headers=headers).json()
    assert whisper["mode"] == "extractive"
    assert "语音转文字" in whisper["answer"]
    assert whisper["citations"] and len(whisper["answer"].splitlines()) <= 4  # lead + at most 3 quotes
    assert_quotes_verbatim(settings, whisper)

    party = client.post("/v1/chat", json={"message": "公司年会在哪里举办？"}, headers=headers).json()
    assert party["mode"] == "no_answer" and party["answer"] == NO_ANSWER["zh"] and party["citations"] == []
