"""A reader's results and scores never depend on documents they cannot read: BM25 IDF comes from
the statistics of the reader's collections only, and fusion runs over access-filtered candidates."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from core.metadata.lexical_stats import scope_statistics, total_chunks
from core.metadata.models import Collection
from core.vectorstore import StoreFilter
from tests.conftest import bearer
from tests.ingest.test_documents_api import upload, wait_until_done

pytestmark = pytest.mark.slow

HR_DOCS = {
    "leave.md": "# Annual leave\n\nEmployees receive fifteen days of annual leave. Unused leave days may be "
    "carried over to the next year, at most five days.\n\n员工每年享有十五天带薪年假，最多结转五天。",
    "travel.md": "# Travel\n\nBook economy class for flights under six hours. Hotel costs up to 200 euros "
    "per night are reimbursed within thirty days.\n\n差旅费用须在三十天内报销。",
    "security.md": "# Passwords\n\nPasswords must be rotated every ninety days and never shared.",
}
# Shares the query terms heavily: with store-wide IDF these would change the reader's scores.
HIDDEN = (
    "# Board notes\n\nAnnual leave for executives: leave days, leave carried over, leave policy, annual "
    "bonus. Travel by economy class, hotel, flights, passwords rotated.\n\n年假结转，差旅报销，年假。"
)
QUERIES = ["annual leave carried over", "hotel reimbursed economy flights", "年假结转", "passwords rotated"]


def snapshot(client: TestClient, key: str) -> list:
    return [
        [
            (r["chunk_id"], round(r["score"], 6))
            for r in client.post(
                "/v1/search", json={"query": query, "mode": mode, "fusion": fusion, "top_k": 5}, headers=bearer(key)
            ).json()["results"]
        ]
        for query in QUERIES
        for mode, fusion in (("hybrid", "dbsf"), ("hybrid", "rrf"), ("dense", "dbsf"), ("lexical", "dbsf"))
    ]


def test_hidden_documents_change_no_score_of_a_reader(client: TestClient, admin_key: str) -> None:
    admin = bearer(admin_key)
    for name in ("hr", "board"):
        body = {"name": name, "read_groups": [name], "write_groups": [name]}
        assert client.post("/v1/admin/collections", json=body, headers=admin).status_code == 201
    reader = client.post("/v1/admin/keys", json={"user": "hazel", "role": "reader", "groups": ["hr"]}, headers=admin)
    reader_key = reader.json()["key"]
    for name, text in HR_DOCS.items():
        document_id = upload(client, admin_key, name, text.encode(), collection="hr").json()["document"]["id"]
        assert wait_until_done(client, admin_key, document_id)["status"] == "ready"

    before = snapshot(client, reader_key)
    assert all(before), "every query finds something"
    hidden_ids = []
    for number in range(3):
        body = upload(
            client, admin_key, f"board-{number}.md", f"{HIDDEN}\n\nCopy {number}.".encode(), collection="board"
        )
        hidden_ids.append(body.json()["document"]["id"])
    for document_id in hidden_ids:
        assert wait_until_done(client, admin_key, document_id)["status"] == "ready"
    assert snapshot(client, reader_key) == before

    services = client.app.state.services
    with services.db.session() as session:  # every published chunk is counted, none twice
        assert total_chunks(session=session) == services.vector_store.get().count(StoreFilter()) == 3 + 3
    for document_id in hidden_ids:
        assert client.delete(f"/v1/documents/{document_id}", headers=admin).status_code == 204
    assert snapshot(client, reader_key) == before


def test_statistics_follow_new_versions_and_deletes(client: TestClient, admin_key: str) -> None:
    services = client.app.state.services
    term = services.lexical.encode_query("nightingale").indices[0]

    def counts() -> tuple[int, int]:
        with services.db.session() as session:
            ids = list(session.scalars(select(Collection.id)))
            total, containing = scope_statistics(session=session, collection_ids=ids, terms=[term])
        return total, containing.get(term, 0)

    first = upload(client, admin_key, "bird.md", b"# Birds\n\nThe nightingale sings at night.").json()["document"]
    wait_until_done(client, admin_key, first["id"])
    assert counts() == (1, 1)
    upload(client, admin_key, "bird.md", b"# Birds\n\nThe blackbird sings at dawn.")
    wait_until_done(client, admin_key, first["id"])
    assert counts() == (1, 0)
    assert client.delete(f"/v1/documents/{first['id']}", headers=bearer(admin_key)).status_code == 204
    assert counts() == (0, 0)


def test_statistics_are_rebuilt_from_the_store_at_start(settings, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    """A store whose chunks are not all counted (made before these statistics, or a crash between
    publishing and counting) gets its statistics rebuilt from the stored sparse vectors."""
    from api.app import create_app
    from core.metadata.models import LexicalDocumentTerms, LexicalTermCount

    def statistics(client: TestClient) -> tuple[int, dict[int, int]]:
        services = client.app.state.services
        terms = services.lexical.encode_query("annual leave hotel passwords 年假").indices
        with services.db.session() as session:
            ids = list(session.scalars(select(Collection.id)))
            return scope_statistics(session=session, collection_ids=ids, terms=terms)

    with TestClient(create_app(settings)) as client:
        for name, text in HR_DOCS.items():
            document_id = upload(client, admin_key, name, text.encode()).json()["document"]["id"]
            assert wait_until_done(client, admin_key, document_id)["status"] == "ready"
        counted = statistics(client)
        with client.app.state.services.db.session() as session:
            session.execute(delete(LexicalTermCount))
            session.execute(delete(LexicalDocumentTerms))
    assert counted[0] == 3 and len(counted[1]) >= 4
    with TestClient(create_app(settings)) as client:
        assert statistics(client) == counted
