from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.cli import main
from tests.conftest import assert_error_shape, bearer
from tests.ingest.test_documents_api import upload, wait_until_done

pytestmark = pytest.mark.integration

HANDBOOK = """# 员工手册

## 休假制度

员工每年享有十五天带薪年假。未休完的年假可以结转到下一年，最多结转五天。

## 报销

差旅费用须在三十天内提交报销申请，并附上发票。

# Security

## Passwords

Passwords must be rotated every ninety days and never shared with colleagues.
"""


@pytest.fixture
def handbook(client: TestClient, admin_key: str) -> str:
    document_id = upload(client, admin_key, "handbook.md", HANDBOOK.encode()).json()["document"]["id"]
    assert wait_until_done(client, admin_key, document_id)["status"] == "ready"
    return document_id


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_chinese_and_english_questions_find_the_right_chunk(
    client: TestClient, admin_key: str, handbook: str, mode: str
) -> None:
    for query, expected in [
        ("年假可以结转几天", "结转五天"),
        ("报销期限", "三十天内"),
        ("how often rotate passwords", "ninety days"),
    ]:
        results = client.post(
            "/v1/search", json={"query": query, "top_k": 3, "mode": mode}, headers=bearer(admin_key)
        ).json()["results"]
        assert results, (mode, query)
        assert expected in results[0]["text"], (mode, query, results[0]["text"])
        assert results[0]["document_id"] == handbook and results[0]["source"] == "handbook.md"


def test_search_result_shape_and_validation(client: TestClient, admin_key: str, handbook: str) -> None:
    response = client.post("/v1/search", json={"query": "年假", "top_k": 1}, headers=bearer(admin_key))
    assert response.json()["mode"] == "hybrid"
    (result,) = response.json()["results"]
    assert {"chunk_id", "document_id", "title", "source", "page", "heading", "text", "score"} <= set(result)
    assert result["title"] == "员工手册" and result["heading"].startswith("员工手册")
    assert_error_shape(client.post("/v1/search", json={"query": ""}, headers=bearer(admin_key)), 422)
    assert_error_shape(client.post("/v1/search", json={"query": "x", "mode": "magic"}, headers=bearer(admin_key)), 422)
    assert_error_shape(client.post("/v1/search", json={"query": "x"}), 401)


def test_context_endpoint_budget_from_tokens_or_model(client: TestClient, admin_key: str, handbook: str) -> None:
    small = client.post("/v1/context", json={"query": "年假结转", "max_tokens": 60}, headers=bearer(admin_key)).json()
    assert 0 < small["tokens"] <= 60 and small["budget"] == 60
    assert small["context"].startswith("[1] 员工手册")
    assert small["sources"][0]["n"] == 1 and small["sources"][0]["document_id"] == handbook
    by_model = client.post(
        "/v1/context", json={"query": "年假结转", "model": "moonshot-v1-8k"}, headers=bearer(admin_key)
    ).json()
    assert by_model["budget"] == 8192 - 400 - 800 - 64
    assert "结转五天" in by_model["context"] and "ninety days" in by_model["context"]  # neighbours fill a big budget


def test_cli_search_in_process(tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("KNOWBASE_DATA_DIR", str(tmp_path / "cli-data"))
    (tmp_path / "handbook.md").write_text(HANDBOOK)
    assert main(["ingest", str(tmp_path / "handbook.md")]) == 0
    capsys.readouterr()
    assert main(["search", "报销期限", "--top-k", "2", "--json"]) == 0
    results = json.loads(capsys.readouterr().out)["results"]
    assert "三十天内" in results[0]["text"]
    assert main(["search", "password rotation"]) == 0
    assert "ninety days" in capsys.readouterr().out
