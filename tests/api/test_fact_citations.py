"""An LLM claim with a wrong value next to the right source loses its citation."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.test_chat import assert_quotes_verbatim, ingest, llm_client  # noqa: F401 (fixture)
from tests.conftest import bearer
from tests.servers import FakeLLM

pytestmark = pytest.mark.integration


def test_a_wrong_value_next_to_the_right_source_drops_the_citation(
    llm_client: TestClient,  # noqa: F811
    admin_key: str,
    fake_llm: FakeLLM,
) -> None:
    ingest(llm_client, admin_key)
    fake_llm.script = [("text", "员工每年享有二十天带薪年假[1]。未休完的年假最多可以结转 5 天[1]。")]
    result = llm_client.post("/v1/chat", json={"message": "员工每年有几天带薪年假？"}, headers=bearer(admin_key)).json()
    assert result["mode"] == "llm"
    assert result["answer"] == "员工每年享有二十天带薪年假。未休完的年假最多可以结转 5 天[1]。"
    assert result["dropped_citations"] == [1]
    assert result["unsupported_claims"] == ["员工每年享有二十天带薪年假。"]  # no source says twenty days
    assert [c["n"] for c in result["citations"]] == [1] and "结转五天" in result["citations"][0]["quote"]
    assert_quotes_verbatim(llm_client.settings, result)
