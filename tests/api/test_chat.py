"""Chat over HTTP: extractive and LLM modes, citations checked against the stored text, streaming,
fallback when the LLM fails, moderation, PII, usage and budgets, conversations."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.providers.moderation import OPENAI_CATEGORIES
from tests.conftest import assert_error_shape, bearer, with_fake_llm
from tests.factories import make_pdf
from tests.ingest.test_documents_api import upload, wait_until_done
from tests.servers import FakeLLM, serve

pytestmark = pytest.mark.integration

HANDBOOK = "# 员工手册\n\n## 休假\n\n员工每年享有十五天带薪年假。未休完的年假最多可以结转五天。\n\n## 报销\n\n差旅费用须在三十天内提交报销申请。\n"
PDF_PAGES = [
    ["Office hours are from nine to five on weekdays.", "The office is closed on public holidays."],
    ["Remote work requires approval from your manager.", "Remote workers must use the company VPN at all times."],
]


def ingest(client: TestClient, key: str) -> dict[str, str]:
    ids = {
        "handbook": upload(client, key, "handbook.md", HANDBOOK.encode()).json()["document"]["id"],
        "remote": upload(client, key, "remote.pdf", make_pdf(PDF_PAGES)).json()["document"]["id"],
    }
    for document_id in ids.values():
        assert wait_until_done(client, key, document_id)["status"] == "ready"
    return ids


def stored_text(settings, document_id: str, version: int = 1) -> str:  # type: ignore[no-untyped-def]
    return (settings.data_dir / "texts" / f"{document_id}.v{version}.txt").read_text(encoding="utf-8")


def sse_events(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def assert_quotes_verbatim(settings, result: dict) -> None:  # type: ignore[no-untyped-def]
    for citation in result["citations"]:
        text = stored_text(settings, citation["document_id"])
        assert text[citation["start"] : citation["end"]] == citation["quote"]


def test_extractive_answers_cite_the_right_document_and_page(client: TestClient, admin_key: str, settings) -> None:  # type: ignore[no-untyped-def]
    ids = ingest(client, admin_key)
    result = client.post(
        "/v1/chat", json={"message": "Do remote workers need the VPN?"}, headers=bearer(admin_key)
    ).json()
    assert result["mode"] == "extractive"
    assert "VPN" in result["answer"] and "[1]" in result["answer"]
    citation = result["citations"][0]
    assert citation["document_id"] == ids["remote"] and citation["page"] == 2 and "VPN" in citation["quote"]
    assert_quotes_verbatim(settings, result)

    chinese = client.post("/v1/chat", json={"message": "年假最多可以结转几天？"}, headers=bearer(admin_key)).json()
    assert chinese["answer"].startswith("以下内容摘自相关文档") and "结转五天" in chinese["answer"]
    assert chinese["citations"][0]["document_id"] == ids["handbook"]
    assert_quotes_verbatim(settings, chinese)

    nothing = client.post(
        "/v1/chat", json={"message": "What is the airspeed of an unladen swallow?"}, headers=bearer(admin_key)
    ).json()
    assert nothing["mode"] == "no_answer" and nothing["citations"] == []


def test_streaming_sends_deltas_then_citations_then_usage(client: TestClient, admin_key: str) -> None:
    ingest(client, admin_key)
    response = client.post(
        "/v1/chat", json={"message": "office hours on weekdays", "stream": True}, headers=bearer(admin_key)
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse_events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "delta" and kinds[-2:] == ["citations", "done"]
    streamed = "".join(data["text"] for kind, data in events if kind == "delta")
    done = events[-1][1]
    assert streamed == done["answer"] and done["usage"]["completion_tokens"] > 0 and done["conversation_id"]


def test_conversations_follow_ups_and_feedback(client: TestClient, admin_key: str) -> None:
    ingest(client, admin_key)
    headers = bearer(admin_key)
    first = client.post(
        "/v1/chat", json={"message": "How many days of annual leave 年假 do employees get?"}, headers=headers
    ).json()
    follow = client.post(
        "/v1/chat", json={"message": "能结转吗？", "conversation_id": first["conversation_id"]}, headers=headers
    ).json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert "结转" in follow["answer"]  # the heuristic searched together with the previous question
    detail = client.get(f"/v1/conversations/{first['conversation_id']}", headers=headers).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant", "user", "assistant"]
    assert detail["messages"][1]["citations"] and detail["messages"][1]["mode"] == "extractive"
    assert (
        client.post(f"/v1/messages/{follow['message_id']}/feedback", json={"value": -1}, headers=headers).json()[
            "feedback"
        ]
        == -1
    )
    assert [c["id"] for c in client.get("/v1/conversations", headers=headers).json()] == [first["conversation_id"]]
    other = client.post("/v1/admin/keys", json={"user": "nosy", "role": "reader"}, headers=headers).json()["key"]
    assert_error_shape(client.get(f"/v1/conversations/{first['conversation_id']}", headers=bearer(other)), 404)
    assert_error_shape(
        client.post(
            "/v1/chat", json={"message": "x", "conversation_id": first["conversation_id"]}, headers=bearer(other)
        ),
        404,
    )
    assert client.delete(f"/v1/conversations/{first['conversation_id']}", headers=headers).status_code == 204
    assert client.get("/v1/conversations", headers=headers).json() == []


@pytest.fixture
def llm_client(settings, fake_llm):  # type: ignore[no-untyped-def]
    configured = with_fake_llm(settings, fake_llm, 2.0, prices={"fake-model": {"prompt": 1.0, "completion": 2.0}})
    with TestClient(create_app(configured)) as client:
        client.settings = configured
        yield client


def test_llm_answers_with_checked_citations_and_provider_usage(
    llm_client: TestClient, admin_key: str, fake_llm: FakeLLM
) -> None:
    ingest(llm_client, admin_key)
    fake_llm.script = [
        (
            "text",
            "Remote workers must use the company VPN at all times [1]. The moon is made of cheese [1]. See also [7].",
        )
    ]
    result = llm_client.post(
        "/v1/chat", json={"message": "Do remote workers need the VPN?"}, headers=bearer(admin_key)
    ).json()
    assert result["mode"] == "llm"
    assert (
        result["answer"]
        == "Remote workers must use the company VPN at all times [1]. The moon is made of cheese. See also."
    )
    assert result["dropped_citations"] == [1, 7]
    assert [c["n"] for c in result["citations"]] == [1] and result["citations"][0]["page"] == 2
    assert_quotes_verbatim(llm_client.settings, result)
    assert result["usage"] == {**result["usage"], "model": "fake-model", "prompt_tokens": 111, "completion_tokens": 22}
    assert result["usage"]["cost"] == pytest.approx((111 * 1.0 + 22 * 2.0) / 1e6)
    prompt = fake_llm.requests[-1]["body"]["messages"]
    assert prompt[0]["role"] == "system" and "cite" in prompt[0]["content"] and "[1] " in prompt[-1]["content"]


def test_llm_failure_mid_stream_falls_back_to_extractive(
    llm_client: TestClient, admin_key: str, fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    ingest(llm_client, admin_key)
    fake_llm.script = [
        ("text", "Remote workers must use the VPN. They also need approval. " * 3),
    ]
    fake_llm.script = ["cutoff"]
    caplog.set_level(logging.ERROR)
    response = llm_client.post(
        "/v1/chat", json={"message": "Do remote workers need the VPN?", "stream": True}, headers=bearer(admin_key)
    )
    events = sse_events(response.text)
    done = events[-1][1]
    assert done["mode"] == "extractive" and "ended before the answer was complete" in done["fallback_reason"]
    assert "VPN" in done["answer"] and done["citations"]
    assert any(r.getMessage() == "LLM failed; answering extractively" for r in caplog.records)
    # Down before the first token too: still an answer.
    fake_llm.script = [500] * 10
    result = llm_client.post("/v1/chat", json={"message": "office hours on weekdays"}, headers=bearer(admin_key)).json()
    assert result["mode"] == "extractive" and "nine to five" in result["answer"]


def test_output_moderation_holds_back_harmful_sentences(
    llm_client: TestClient, admin_key: str, fake_llm: FakeLLM
) -> None:
    ingest(llm_client, admin_key)
    fake_llm.script = [("text", "Office hours are nine to five [1]. I will kill you tomorrow. More text follows here.")]
    response = llm_client.post("/v1/chat", json={"message": "office hours", "stream": True}, headers=bearer(admin_key))
    events = sse_events(response.text)
    streamed = "".join(d["text"] for k, d in events if k == "delta")
    assert "kill" not in streamed and "More text" not in streamed
    assert "reset" in [k for k, _ in events]
    done = events[-1][1]
    assert done["mode"] == "blocked" and done["moderation"]["flagged"] and done["moderation"]["stage"] == "output"
    assert {"violence", "harassment/threatening"} & set(done["moderation"]["categories"])  # a threat


def test_pii_is_redacted_from_answers(llm_client: TestClient, admin_key: str, fake_llm: FakeLLM) -> None:
    ingest(llm_client, admin_key)
    fake_llm.script = [("text", "Call the VPN desk at 13812345678 or 010-6552 9988 [1].")]
    result = llm_client.post("/v1/chat", json={"message": "VPN help desk"}, headers=bearer(admin_key)).json()
    assert "13812345678" not in result["answer"] and "6552 9988" not in result["answer"]
    assert "[CN_MOBILE REDACTED]" in result["answer"] and "[PHONE REDACTED]" in result["answer"]


def test_blocked_input_is_refused_and_logged_without_content(
    client: TestClient, admin_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    result = client.post("/v1/chat", json={"message": "教我怎么制造炸弹"}, headers=bearer(admin_key)).json()
    assert result["mode"] == "blocked" and result["moderation"]["flagged"] and result["moderation"]["stage"] == "input"
    # Bomb-making instructions: OpenAI's "illicit/violent" (with its parent "illicit").
    assert {"illicit", "illicit/violent"} <= set(result["moderation"]["categories"])
    assert "抱歉" in result["answer"]
    records = [r for r in caplog.records if r.getMessage() == "chat turn blocked"]
    assert records and records[0].categories == result["moderation"]["categories"]
    assert all("炸弹" not in r.getMessage() and "炸弹" not in str(r.__dict__) for r in caplog.records)
    stored = client.get(f"/v1/conversations/{result['conversation_id']}", headers=bearer(admin_key)).json()
    assert "炸弹" not in json.dumps(stored, ensure_ascii=False)


def test_moderations_endpoint_in_openai_shape(client: TestClient, admin_key: str) -> None:
    body = client.post(
        "/v1/moderations", json={"input": ["杀毒软件推荐", "I want to kill myself"]}, headers=bearer(admin_key)
    ).json()
    assert [r["flagged"] for r in body["results"]] == [False, True]
    harmful = body["results"][1]
    assert harmful["categories"]["self-harm"] is True and harmful["categories"]["self-harm/intent"] is True
    for result in body["results"]:
        assert set(result["categories"]) == set(result["category_scores"]) == set(OPENAI_CATEGORIES)
        assert set(result["category_applied_input_types"]) == set(OPENAI_CATEGORIES)
        assert all(result["categories"][n] == (result["category_scores"][n] >= 0.5) for n in OPENAI_CATEGORIES)
    too_many = client.post("/v1/moderations", json={"input": ["x"] * 33}, headers=bearer(admin_key))
    assert_error_shape(too_many, 422, "invalid_input")


def test_usage_ledger_and_monthly_budget(client: TestClient, admin_key: str) -> None:
    ingest(client, admin_key)
    headers = bearer(admin_key)
    limited = client.post(
        "/v1/admin/keys", json={"user": "lim", "role": "reader", "monthly_token_budget": 5}, headers=headers
    ).json()
    first = client.post("/v1/chat", json={"message": "office hours"}, headers=bearer(limited["key"]))
    assert first.status_code == 200
    error = assert_error_shape(
        client.post("/v1/chat", json={"message": "office hours"}, headers=bearer(limited["key"])), 429, "quota_exceeded"
    )
    assert "monthly budget of 5 tokens" in error["message"]
    by_user = {row["key"]: row for row in client.get("/v1/usage?group_by=user", headers=headers).json()}
    assert by_user["lim"]["requests"] == 1 and by_user["lim"]["completion_tokens"] > 0
    assert [row["key"] for row in client.get("/v1/usage?group_by=model", headers=headers).json()] == ["extractive"]
    assert len(client.get("/v1/usage?group_by=day", headers=headers).json()) == 1
    own = client.get("/v1/usage?group_by=user", headers=bearer(limited["key"])).json()
    assert [row["key"] for row in own] == ["lim"]
    assert_error_shape(client.get("/v1/usage?user=admin", headers=bearer(limited["key"])), 403)


def test_openai_sdk_against_knowbase(settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    import time

    import httpx
    from openai import OpenAI

    with serve(create_app(settings)) as url:
        sdk = OpenAI(base_url=url + "/v1", api_key=admin_key, max_retries=0)

        for name, data in (("handbook.md", HANDBOOK.encode()), ("remote.pdf", make_pdf(PDF_PAGES))):
            document = httpx.post(
                url + "/v1/documents", files={"file": (name, data)}, headers=bearer(admin_key)
            ).json()["document"]
            for _ in range(300):
                if (
                    httpx.get(f"{url}/v1/documents/{document['id']}", headers=bearer(admin_key)).json()["status"]
                    == "ready"
                ):
                    break
                time.sleep(0.2)
        assert [m.id for m in sdk.models.list().data] == ["knowbase"]
        completion = sdk.chat.completions.create(
            model="knowbase", messages=[{"role": "user", "content": "Do remote workers need the VPN?"}]
        )
        assert "VPN" in completion.choices[0].message.content
        extra = completion.model_extra
        assert extra["citations"][0]["page"] == 2 and extra["knowbase"]["mode"] == "extractive"
        assert completion.usage.completion_tokens > 0
        stream = sdk.chat.completions.create(
            model="knowbase", messages=[{"role": "user", "content": "年假可以结转几天？"}], stream=True
        )
        chunks = list(stream)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert "结转五天" in text and chunks[-1].model_extra["citations"]
