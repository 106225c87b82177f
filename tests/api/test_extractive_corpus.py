"""End to end without an LLM over the five Chinese OpenAI-platform articles: the answer quotes what
answers the question, verbatim, and an unanswerable question gets ``no_answer``. The articles are
ingested once for the module (with the real embedder that takes most of a minute)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from answer.prompts import NO_ANSWER
from api.app import create_app
from core.security import generate_api_key
from core.settings import Settings
from tests.api.test_chat import assert_quotes_verbatim
from tests.conftest import CORPUS, bearer, require_shared
from tests.ingest.test_documents_api import upload, wait_until_done

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Settings]]:
    """A server holding the five articles: its client, its admin key and its settings."""
    folder = require_shared(CORPUS / "openai-platform-zh")
    key = generate_api_key()
    settings = Settings(data_dir=tmp_path_factory.mktemp("articles") / "data", admin_key=key, log_json=True)
    with TestClient(create_app(settings)) as client:
        for path in sorted(folder.glob("*.txt")):
            document = upload(client, key, path.name, path.read_bytes()).json()["document"]
            assert wait_until_done(client, key, document["id"])["status"] == "ready"
        yield client, key, settings


def test_extractive_answers_over_the_openai_platform_articles(articles: tuple[TestClient, str, Settings]) -> None:
    client, admin_key, settings = articles
    headers = bearer(admin_key)

    whisper = client.post("/v1/chat", json={"message": "Whisper 模型是做什么用的？"}, headers=headers).json()
    assert whisper["mode"] == "extractive"
    assert "语音转文字" in whisper["answer"]
    assert whisper["citations"] and len(whisper["answer"].splitlines()) <= 4  # lead + at most 3 quotes
    assert_quotes_verbatim(settings, whisper)

    # values only an example's code states: the statement stating it, quoted verbatim
    for question, value in (
        ("In the Redis caching example, how many seconds is a cached response kept before it expires?", "3600"),
        ("Redis 缓存示例里，缓存多少秒过期？", "3600"),
        ("What completion_window does the sample code pass when creating a batch?", '"24h"'),
        ("想按团队分开计费，Python 示例里是通过哪个属性设置组织的？", "openai.organization"),
    ):
        result = client.post("/v1/chat", json={"message": question}, headers=headers).json()
        assert result["mode"] == "extractive" and value in result["answer"], (question, result["answer"])
        assert_quotes_verbatim(settings, result)

    party = client.post("/v1/chat", json={"message": "公司年会在哪里举办？"}, headers=headers).json()
    assert party["mode"] == "no_answer" and party["answer"] == NO_ANSWER["zh"] and party["citations"] == []


@pytest.mark.slow
def test_a_question_about_the_moderation_api_over_the_platform_articles_is_answered(
    articles: tuple[TestClient, str, Settings],
) -> None:
    """Input moderation judges intent: a question naming self-harm and violence as the Moderation
    API's categories is no self-harm question (tests/api/test_output_moderation_quotes.py)."""
    client, admin_key, settings = articles
    for question in (
        "Moderation API 返回哪些类别？比如 self-harm 和 violence 吗？",
        "Which categories does the Moderation API return, for example self-harm?",
    ):
        result = client.post("/v1/chat", json={"message": question}, headers=bearer(admin_key)).json()
        # the articles state the categories only in a JSON code sample, which is never quoted
        assert result["mode"] in ("extractive", "no_answer"), (question, result)
        assert not result["moderation"]["flagged"], (question, result)
        if result["mode"] == "extractive":
            assert result["citations"], result
            assert_quotes_verbatim(settings, result)


@pytest.mark.slow
def test_over_one_article_a_question_about_someone_it_never_names_is_no_answer(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Over the API reference article alone, OpenAI is a rare word and the sentence models find its
    title closest to "Who is OpenAI's CTO?": a line naming no person or organisation does not answer."""
    article = next(require_shared(CORPUS / "openai-platform-zh").glob("004_*.txt"))
    key = generate_api_key()
    settings = Settings(data_dir=tmp_path_factory.mktemp("one-article") / "data", admin_key=key)
    with TestClient(create_app(settings)) as client:
        document = upload(client, key, article.name, article.read_bytes()).json()["document"]
        assert wait_until_done(client, key, document["id"])["status"] == "ready"
        for question, language in (("Who is OpenAI's CTO?", "en"), ("OpenAI 的首席技术官是谁？", "zh")):
            result = client.post("/v1/chat", json={"message": question}, headers=bearer(key)).json()
            assert result["mode"] == "no_answer" and result["answer"] == NO_ANSWER[language], result
