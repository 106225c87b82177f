"""A reader never sees a chunk of a document they may not read: not in results, counts, scores,
context, citations, document lists or downloads — even when quoting its text verbatim."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from tests.conftest import assert_error_shape, bearer
from tests.ingest.test_documents_api import upload, wait_until_done

pytestmark = pytest.mark.integration

FINANCE_SECRET = "Project Nightingale acquires Borealis Robotics for 412 million euros in March."
FINANCE_SECRET_ZH = "夜莺计划将于三月以四亿一千二百万欧元收购北极光机器人公司。"
HR_TEXT = "The cafeteria opens at eight and serves vegetarian lunch every weekday."


@pytest.fixture
def two_teams(client: TestClient, admin_key: str) -> dict:
    headers = bearer(admin_key)
    for name in ("finance", "hr"):
        response = client.post(
            "/v1/admin/collections", json={"name": name, "read_groups": [name], "write_groups": [name]}, headers=headers
        )
        assert response.status_code == 201

    def key(user: str, role: str, groups: list[str]) -> str:
        body = {"user": user, "role": role, "groups": groups}
        return client.post("/v1/admin/keys", json=body, headers=headers).json()["key"]

    keys = {
        "finance_editor": key("fiona", "editor", ["finance"]),
        "hr_editor": key("harry", "editor", ["hr"]),
        "hr_reader": key("hazel", "reader", ["hr"]),
    }
    secret = upload(
        client,
        keys["finance_editor"],
        "deal.md",
        f"# Deal\n\n{FINANCE_SECRET}\n\n{FINANCE_SECRET_ZH}\n".encode(),
        collection="finance",
    )
    public = upload(client, keys["hr_editor"], "canteen.md", f"# Canteen\n\n{HR_TEXT}\n".encode(), collection="hr")
    ids = {"secret": secret.json()["document"]["id"], "public": public.json()["document"]["id"]}
    for document_id in ids.values():
        assert wait_until_done(client, admin_key, document_id)["status"] == "ready"
    return {"keys": keys, "ids": ids}


QUERIES = [FINANCE_SECRET, FINANCE_SECRET_ZH, "Borealis Robotics acquisition", "北极光机器人", "Nightingale"]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_search_never_returns_other_collections(client: TestClient, two_teams: dict, mode: str) -> None:
    reader = bearer(two_teams["keys"]["hr_reader"])
    for query in QUERIES:
        response = client.post("/v1/search", json={"query": query, "top_k": 50, "mode": mode}, headers=reader)
        assert response.status_code == 200
        results = response.json()["results"]
        assert {r["document_id"] for r in results} <= {two_teams["ids"]["public"]}
        assert all(r["collection"] == "hr" for r in results)
        assert "Nightingale" not in response.text and "夜莺" not in response.text
    # Asking for the other collection by name looks exactly like asking for one that does not exist.
    hidden = client.post("/v1/search", json={"query": "x", "collection": "finance", "mode": mode}, headers=reader)
    missing = client.post("/v1/search", json={"query": "x", "collection": "no-such", "mode": mode}, headers=reader)
    assert_error_shape(hidden, 404, "not_found")
    assert hidden.json()["error"]["message"].replace("finance", "X") == missing.json()["error"]["message"].replace(
        "no-such", "X"
    )


def test_dense_scores_do_not_depend_on_hidden_documents(client: TestClient, two_teams: dict, admin_key: str) -> None:
    """The reader's dense results are identical with and without the hidden document (all modes,
    lexical IDF included, are covered by tests/retrieval/test_lexical_scope.py)."""
    reader = bearer(two_teams["keys"]["hr_reader"])
    before = client.post("/v1/search", json={"query": FINANCE_SECRET, "mode": "dense"}, headers=reader).json()
    assert client.delete(f"/v1/documents/{two_teams['ids']['secret']}", headers=bearer(admin_key)).status_code == 204
    after = client.post("/v1/search", json={"query": FINANCE_SECRET, "mode": "dense"}, headers=reader).json()
    assert [(r["chunk_id"], round(r["score"], 5)) for r in before["results"]] == [
        (r["chunk_id"], round(r["score"], 5)) for r in after["results"]
    ]


def test_context_never_includes_other_collections(client: TestClient, two_teams: dict) -> None:
    reader = bearer(two_teams["keys"]["hr_reader"])
    for query in QUERIES:
        response = client.post("/v1/context", json={"query": query, "max_tokens": 4000}, headers=reader)
        assert response.status_code == 200
        body = response.json()
        assert {s["document_id"] for s in body["sources"]} <= {two_teams["ids"]["public"]}
        assert "Nightingale" not in body["context"] and "夜莺" not in body["context"]
    assert_error_shape(client.post("/v1/context", json={"query": "x", "collection": "finance"}, headers=reader), 404)


def test_documents_endpoints_hide_other_collections(client: TestClient, two_teams: dict) -> None:
    reader = bearer(two_teams["keys"]["hr_reader"])
    secret = two_teams["ids"]["secret"]
    listing = client.get("/v1/documents?limit=500", headers=reader).json()
    assert listing["total"] == 1 and [d["id"] for d in listing["items"]] == [two_teams["ids"]["public"]]
    assert client.get("/v1/documents?q=deal", headers=reader).json()["total"] == 0
    for path in (f"/v1/documents/{secret}", f"/v1/documents/{secret}/file"):
        assert_error_shape(client.get(path, headers=reader), 404, "not_found")
    assert_error_shape(client.get("/v1/documents?collection=finance", headers=reader), 404, "not_found")


def test_revoking_a_group_hides_its_chunks_at_once(client: TestClient, two_teams: dict, admin_key: str) -> None:
    finance = bearer(two_teams["keys"]["finance_editor"])
    query = {"query": "Borealis Robotics", "mode": "lexical"}
    assert client.post("/v1/search", json=query, headers=finance).json()["results"]
    client.patch(
        "/v1/admin/collections/finance",
        json={"read_groups": ["board"], "write_groups": ["board"]},
        headers=bearer(admin_key),
    )
    assert client.post("/v1/search", json=query, headers=finance).json()["results"] == []
    # …and granting hr access makes it visible to hr readers (chunk payloads follow the grant).
    client.patch("/v1/admin/collections/finance", json={"read_groups": ["board", "hr"]}, headers=bearer(admin_key))
    hr = bearer(two_teams["keys"]["hr_reader"])
    assert client.post("/v1/search", json=query, headers=hr).json()["results"]


def test_chat_and_citations_never_use_other_collections(client: TestClient, two_teams: dict) -> None:
    reader = bearer(two_teams["keys"]["hr_reader"])
    for query in QUERIES:
        result = client.post("/v1/chat", json={"message": query}, headers=reader).json()
        assert "Nightingale" not in json.dumps(result) and "夜莺" not in json.dumps(result, ensure_ascii=False)
        assert {c["document_id"] for c in result["citations"]} <= {two_teams["ids"]["public"]}
        compat = client.post(
            "/v1/chat/completions",
            json={"model": "knowbase", "messages": [{"role": "user", "content": query}]},
            headers=reader,
        )
        assert "Nightingale" not in compat.text and "夜莺" not in compat.text
        streamed = client.post("/v1/chat", json={"message": query, "stream": True}, headers=reader)
        assert "Nightingale" not in streamed.text and "夜莺" not in streamed.text
    assert_error_shape(client.post("/v1/chat", json={"message": "deal", "collection": "finance"}, headers=reader), 404)
    titles = [c["title"] for c in client.get("/v1/conversations", headers=reader).json()]
    assert "deal" not in titles  # nothing was stored for the refused request


def test_deleting_a_group_removes_its_grants(client: TestClient, two_teams: dict, admin_key: str) -> None:
    admin = bearer(admin_key)
    finance = bearer(two_teams["keys"]["finance_editor"])
    query = {"query": "Borealis Robotics", "mode": "lexical"}
    assert client.post("/v1/search", json=query, headers=finance).json()["results"]

    assert client.delete("/v1/admin/groups/finance", headers=admin).status_code == 204
    listed = client.get("/v1/admin/collections", headers=admin).json()
    finance_collection = next(c for c in listed if c["name"] == "finance")
    assert "finance" not in finance_collection["read_groups"] + finance_collection["write_groups"]

    # A new group with the old name starts with no grants: its members read nothing of the collection.
    assert client.post("/v1/admin/groups", json={"name": "finance"}, headers=admin).status_code == 201
    newcomer = client.post(
        "/v1/admin/keys", json={"user": "nina", "role": "reader", "groups": ["finance"]}, headers=admin
    ).json()["key"]
    assert client.post("/v1/search", json=query, headers=bearer(newcomer)).json()["results"] == []
    assert client.post("/v1/search", json=query, headers=finance).json()["results"] == []
    collections = client.get("/v1/collections", headers=bearer(newcomer)).json()
    assert "finance" not in [c["name"] for c in collections]
