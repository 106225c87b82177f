"""MCP over streamable HTTP at /mcp, driven by the official MCP client against a real server:
the tools, their results, and access: one team's key finds and reads its document, the other
team's key gets nothing of it (no title, no count, the same "not found" as for a made-up id)."""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx
import pytest

from tests.mcp.conftest import (
    FINANCE_SECRET,
    FINANCE_SECRET_ZH,
    call,
    error_text,
    make_key,
    mcp_client,
    payload,
    text_of,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
TOOLS = {"search", "fetch", "search_knowledge_base", "list_knowledge_bases", "ask"}
SECRET_WORDS = ("Nightingale", "Borealis", "夜莺", "北极光", "deal.md", "Deal")


@pytest.mark.parametrize("mode", ["auto", "legacy"])  # 2026 discover, and the 2025 initialize handshake
def test_tools_are_listed_with_limits_and_chinese_examples(kb: dict[str, Any], mode: str) -> None:
    async def main() -> tuple[Any, Any]:
        async with mcp_client(kb["url"], kb["keys"]["hr"], mode=mode) as client:
            listed = (await client.list_tools()).tools
            return listed, await client.call_tool("search", {"query": "vegetarian lunch"})

    listed, found = anyio.run(main)
    assert payload(found)["results"][0]["id"].startswith(f"chunk:{kb['ids']['hr']}:")
    tools = {tool.name: tool for tool in listed}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert re.search(r"[\u4e00-\u9fff]", tool.description or ""), tool.name  # Chinese examples
    assert tools["search"].input_schema["properties"]["query"]["maxLength"] == 4000
    assert tools["search"].input_schema["required"] == ["query"]
    assert tools["fetch"].input_schema["required"] == ["id"]
    top_k = tools["search_knowledge_base"].input_schema["properties"]["top_k"]
    assert (top_k["minimum"], top_k["maximum"]) == (1, 50)
    assert tools["ask"].input_schema["properties"]["question"]["maxLength"] == 8000


def test_search_and_fetch_follow_the_deep_research_contract(kb: dict[str, Any]) -> None:
    url, key, secret_id = kb["url"], kb["keys"]["finance"], kb["ids"]["finance"]
    found = payload(call(url, key, "search", {"query": "Borealis Robotics acquisition"}))
    assert set(found) == {"results"} and found["results"]
    first = found["results"][0]
    assert set(first) == {"id", "title", "url"}
    assert first["id"] == f"chunk:{secret_id}:0" and first["title"] == "Deal"
    assert first["url"].startswith(f"{url}/ui/documents/{secret_id}?start=")

    chunk = payload(call(url, key, "fetch", {"id": first["id"]}))
    assert set(chunk) == {"id", "title", "text", "url", "metadata"}
    assert chunk["id"] == first["id"] and FINANCE_SECRET in chunk["text"]
    assert chunk["metadata"]["document_id"] == secret_id and chunk["metadata"]["collection"] == "finance"

    document = payload(call(url, key, "fetch", {"id": f"doc:{secret_id}"}))
    assert FINANCE_SECRET in document["text"] and FINANCE_SECRET_ZH in document["text"]
    assert document["url"] == f"{url}/ui/documents/{secret_id}"
    assert document["metadata"]["truncated"] is False and document["metadata"]["source"] == "deal.md"
    assert payload(call(url, key, "search", {"query": "北极光机器人"}))["results"][0]["id"].startswith(
        f"chunk:{secret_id}:"
    )


def test_another_teams_key_gets_nothing_of_the_document(kb: dict[str, Any]) -> None:
    url, key, secret_id = kb["url"], kb["keys"]["hr"], kb["ids"]["finance"]
    for query in (FINANCE_SECRET, FINANCE_SECRET_ZH, "Borealis Robotics", "Nightingale"):
        result = call(url, key, "search", {"query": query})
        assert all(secret_id not in r["id"] for r in payload(result)["results"])
        assert not any(word in text_of(result) for word in SECRET_WORDS)
        passages = call(url, key, "search_knowledge_base", {"query": query, "top_k": 50, "mode": "lexical"})
        assert {p["collection"] for p in payload(passages)["results"]} <= {"hr", "default"}

    # Reading it by id answers exactly like an id that never existed.
    for kind, existing, made_up in (
        ("chunk", f"chunk:{secret_id}:0", "chunk:0123456789abcdef0123456789abcdef:0"),
        ("doc", f"doc:{secret_id}", "doc:0123456789abcdef0123456789abcdef"),
    ):
        hidden = error_text(call(url, key, "fetch", {"id": existing}))
        missing = error_text(call(url, key, "fetch", {"id": made_up}))
        assert hidden.replace(existing, "X") == missing.replace(made_up, "X"), kind
        assert not any(word in hidden for word in SECRET_WORDS)

    listed = payload(call(url, key, "list_knowledge_bases"))
    assert [kb_["name"] for kb_ in listed["knowledge_bases"]] == ["default", "hr"]
    hidden = error_text(call(url, key, "search_knowledge_base", {"query": "deal", "collections": ["finance"]}))
    missing = error_text(call(url, key, "search_knowledge_base", {"query": "deal", "collections": ["no-such"]}))
    assert hidden.replace("finance", "X") == missing.replace("no-such", "X")
    filtered = call(url, key, "search_knowledge_base", {"query": "Borealis", "filters": {"document_ids": [secret_id]}})
    assert payload(filtered)["results"] == []
    answer = call(url, key, "ask", {"question": "Who acquires Borealis Robotics?"})
    assert not any(word in text_of(answer) for word in SECRET_WORDS)


def test_search_knowledge_base_with_collections_filters_and_mode(kb: dict[str, Any]) -> None:
    url, key, secret_id = kb["url"], kb["keys"]["finance"], kb["ids"]["finance"]
    arguments = {
        "query": "Borealis Robotics",
        "collections": ["finance"],
        "filters": {"title": "deal"},
        "top_k": 3,
        "mode": "lexical",
    }
    body = payload(call(url, key, "search_knowledge_base", arguments))
    assert body["mode"] == "lexical" and 1 <= len(body["results"]) <= 3
    passage = body["results"][0]
    assert passage["document_id"] == secret_id and passage["heading"] == "Deal" and passage["page"] is None
    assert passage["collection"] == "finance" and passage["source"] == "deal.md" and passage["score"] > 0
    assert FINANCE_SECRET in passage["text"]
    no_match = {**arguments, "filters": {"title": "no such title"}}
    assert payload(call(url, key, "search_knowledge_base", no_match))["results"] == []


def test_list_knowledge_bases_counts_documents(kb: dict[str, Any]) -> None:
    listed = payload(call(kb["url"], kb["keys"]["finance"], "list_knowledge_bases"))
    finance = next(k for k in listed["knowledge_bases"] if k["name"] == "finance")
    assert finance == {"name": "finance", "description": "finance team", "documents": 1, "ready_documents": 1}


def test_ask_returns_verified_citations(kb: dict[str, Any]) -> None:
    url, key, secret_id = kb["url"], kb["keys"]["finance"], kb["ids"]["finance"]
    body = payload(call(url, key, "ask", {"question": "Who acquires Borealis Robotics?", "collection": "finance"}))
    assert body["mode"] == "extractive" and "Borealis" in body["answer"]
    assert body["moderation"]["flagged"] is False and body["citations"]
    citation = body["citations"][0]
    assert citation["document_id"] == secret_id and citation["quote"] in FINANCE_SECRET + FINANCE_SECRET_ZH
    assert citation["url"].startswith(f"{url}/ui/documents/{secret_id}?start=")
    assert citation["attributed"] is False and body["unsupported_claims"] == []  # quoted, not attributed
    blocked = payload(call(url, key, "ask", {"question": "教我怎么制造炸弹"}))  # the content policy applies
    assert blocked["mode"] == "blocked" and blocked["moderation"]["flagged"] is True and not blocked["citations"]
    unknown = error_text(call(url, key, "ask", {"question": "x", "collection": "no-such"}))
    assert "no-such" in unknown


def test_oversized_and_malformed_inputs_are_refused(kb: dict[str, Any]) -> None:
    url, key = kb["url"], kb["keys"]["finance"]
    for tool, arguments in (
        ("search", {"query": "x" * 4001}),
        ("search", {"query": ""}),
        ("fetch", {"id": "chunk:" + "a" * 200}),
        ("search_knowledge_base", {"query": "x", "top_k": 51}),
        ("search_knowledge_base", {"query": "x", "top_k": 0}),
        ("search_knowledge_base", {"query": "x", "mode": "fuzzy"}),
        ("search_knowledge_base", {"query": "x", "collections": [f"c{i}" for i in range(21)]}),
        ("search_knowledge_base", {"query": "x", "filters": {"document_ids": ["d"] * 51}}),
        ("search_knowledge_base", {"query": "x", "filters": {"document_ids": ["d" * 65]}}),
        ("search_knowledge_base", {"query": "x", "filters": {"title": "t" * 201}}),
        ("ask", {"question": "x" * 8001}),
    ):
        assert call(url, key, tool, arguments).is_error, (tool, arguments)
    for nonsense in ("nonsense", "chunk:abc:²", "chunk:abc:99999999999", "doc:", "doc:a/b"):
        assert "use an id returned by search" in error_text(call(url, key, "fetch", {"id": nonsense})), nonsense


def test_missing_bad_and_revoked_keys_get_401(kb: dict[str, Any]) -> None:
    http: httpx.Client = kb["http"]
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    temporary = make_key(http, kb["admin_key"], "tess", "reader", [])
    assert http.post("/mcp", json=message, headers={**headers, "Authorization": f"Bearer {temporary}"}).status_code in (
        200,
        400,  # the legacy transport may want the protocol header; what matters is: not 401
    )
    keys = http.get("/v1/admin/keys", headers={"Authorization": f"Bearer {kb['admin_key']}"}).json()
    key_id = next(k["id"] for k in keys if k["user"] == "tess")
    http.delete(f"/v1/admin/keys/{key_id}", headers={"Authorization": f"Bearer {kb['admin_key']}"})
    for authorization in (None, "Bearer kb-not-a-real-key-000000000000", f"Bearer {temporary}", "Basic abc"):
        response = http.post(
            "/mcp", json=message, headers=headers | ({"Authorization": authorization} if authorization else {})
        )
        assert response.status_code == 401, authorization
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith("Bearer ") and "/.well-known/oauth-protected-resource/mcp" in challenge

    async def with_revoked_key() -> None:
        async with mcp_client(kb["url"], temporary) as client:
            await client.list_tools()

    with pytest.raises(Exception):  # noqa: B017 - the client surfaces the 401 as a transport error
        anyio.run(with_revoked_key)
    metadata = http.get("/.well-known/oauth-protected-resource/mcp").json()
    assert metadata["resource"].endswith("/mcp") and metadata["bearer_methods_supported"] == ["header"]


def test_unknown_hosts_are_refused(kb: dict[str, Any]) -> None:
    message = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    headers = {
        "Accept": "application/json, text/event-stream",
        "Authorization": f"Bearer {kb['keys']['hr']}",
        "Host": "attacker.example",
    }
    assert kb["http"].post("/mcp", json=message, headers=headers).status_code == 421
    evil_origin = {**headers, "Host": "127.0.0.1", "Origin": "http://attacker.example"}
    assert kb["http"].post("/mcp", json=message, headers=evil_origin).status_code == 403
