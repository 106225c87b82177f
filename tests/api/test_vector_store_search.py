"""POST /v1/vector_stores/{id}/search and /v1/search filters, through the official openai SDK."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from core.vectorstore import StoreFilter
from tests.api.openai_kb import Knowbase, running_knowbase
from tests.conftest import bearer

pytestmark = pytest.mark.integration

POLICIES = {
    "travel.md": (
        "# Travel\n\nTrain tickets are refunded within 30 days. Flights need approval.\n",
        {"team": "finance", "year": 2024, "public": True},
    ),
    "vpn.md": (
        "# VPN\n\nRemote staff connect through the WireGuard VPN. The VPN is required abroad.\n",
        {"team": "it", "year": 2023, "public": True},
    ),
    "salaries.md": (
        "# Salaries\n\nSalary reviews happen every April. Travel allowances are paid monthly.\n",
        {"team": "finance", "year": 2019, "public": False},
    ),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Knowbase]:
    for knowbase in running_knowbase(tmp_path_factory.mktemp("vs-search")):
        body = {"name": "policies", "read_groups": ["staff"], "write_groups": ["staff"]}
        created = httpx.post(f"{knowbase.url}/v1/admin/collections", json=body, headers=bearer(knowbase.admin_key))
        knowbase.stores["policies"] = "vs_" + created.json()["id"]
        store = knowbase.services.vector_store.get()
        for filename, (text, attributes) in POLICIES.items():
            document = httpx.post(
                f"{knowbase.url}/v1/documents",
                files={"file": (filename, text.encode())},
                data={"collection": "policies"},
                headers=bearer(knowbase.admin_key),
            ).json()["document"]
            knowbase._wait(document["id"])
            knowbase.files[filename] = "file-" + document["id"]
            store.set_payload(StoreFilter(document_ids=[document["id"]]), {"attributes": attributes})
        yield knowbase


def _files(page: Any) -> list[str]:
    return [item.filename for item in page.data]


def test_results_come_in_openai_shape_with_scores_from_0_to_1(kb: Knowbase) -> None:
    page = kb.admin.vector_stores.search(vector_store_id=kb.stores["policies"], query="Which VPN do remote staff use?")
    assert page.object == "vector_store.search_results.page" and page.search_query == ["Which VPN do remote staff use?"]
    top = page.data[0]
    assert (top.file_id, top.filename) == (kb.files["vpn.md"], "vpn.md")
    assert top.attributes == {"team": "it", "year": 2023, "public": True}
    assert top.content[0].type == "text" and "WireGuard" in top.content[0].text
    scores = [item.score for item in page.data]
    assert all(0 <= s <= 1 for s in scores) and scores == sorted(scores, reverse=True)
    assert page.has_more is False and page.next_page is None


def test_filters_narrow_inside_the_query(kb: Knowbase) -> None:
    store = kb.stores["policies"]
    finance = kb.admin.vector_stores.search(
        vector_store_id=store, query="travel", filters={"type": "eq", "key": "team", "value": "finance"}
    )
    assert set(_files(finance)) == {"travel.md", "salaries.md"}
    nested = {
        "type": "and",
        "filters": [
            {"type": "in", "key": "team", "value": ["finance", "it"]},
            {
                "type": "or",
                "filters": [
                    {"type": "gte", "key": "year", "value": 2024},
                    {"type": "eq", "key": "public", "value": False},
                ],
            },
        ],
    }
    assert set(_files(kb.admin.vector_stores.search(vector_store_id=store, query="travel", filters=nested))) == {
        "travel.md",
        "salaries.md",
    }
    none = kb.admin.vector_stores.search(
        vector_store_id=store, query="VPN", filters={"type": "eq", "key": "team", "value": "legal"}
    )
    assert none.data == []


def test_score_threshold_max_results_and_several_queries(kb: Knowbase) -> None:
    store = kb.stores["policies"]
    loose = kb.admin.vector_stores.search(vector_store_id=store, query="VPN abroad", max_num_results=1)
    assert len(loose.data) == 1
    strict = kb.admin.vector_stores.search(
        vector_store_id=store, query="VPN abroad", ranking_options={"score_threshold": 0.999999, "ranker": "none"}
    )
    assert len(strict.data) < len(kb.admin.vector_stores.search(vector_store_id=store, query="VPN abroad").data)
    both = kb.admin.vector_stores.search(vector_store_id=store, query=["salary reviews", "train tickets"])
    assert both.search_query == ["salary reviews", "train tickets"]
    assert {"salaries.md", "travel.md"} <= set(_files(both))
    unchanged = kb.admin.vector_stores.search(vector_store_id=store, query="april salary", rewrite_query=True)
    assert unchanged.search_query == ["april salary"]  # no LLM configured: searched as written


def test_invalid_requests_are_400s_that_say_why(kb: Knowbase) -> None:
    store = kb.stores["policies"]
    with pytest.raises(openai.BadRequestError, match="compares numbers"):
        kb.admin.vector_stores.search(
            vector_store_id=store, query="x", filters={"type": "gt", "key": "year", "value": "2020"}
        )
    with pytest.raises(openai.BadRequestError, match="max_num_results"):
        kb.admin.vector_stores.search(vector_store_id=store, query="x", max_num_results=51)
    with pytest.raises(openai.BadRequestError):
        kb.admin.vector_stores.search(
            vector_store_id=store, query="x", filters={"type": "like", "key": "a", "value": 1}
        )


def test_another_groups_store_is_a_404_like_a_missing_one(kb: Knowbase) -> None:
    outsider = kb.client_for("outsider", ["sales"])
    with pytest.raises(openai.NotFoundError) as hidden:
        outsider.vector_stores.search(vector_store_id=kb.stores["policies"], query="VPN")
    with pytest.raises(openai.NotFoundError) as missing:
        outsider.vector_stores.search(vector_store_id="vs_" + "0" * 32, query="VPN")
    assert hidden.value.message.replace(kb.stores["policies"], "X") == missing.value.message.replace(
        "vs_" + "0" * 32, "X"
    )
    staff = kb.client_for("reader", ["staff"])
    assert staff.vector_stores.search(vector_store_id=kb.stores["policies"], query="VPN").data


def test_v1_search_takes_the_same_filters(kb: Knowbase) -> None:
    body: dict[str, Any] = {
        "query": "travel",
        "collection": "policies",
        "filters": {"type": "eq", "key": "year", "value": 2019},
    }
    response = httpx.post(f"{kb.url}/v1/search", json=body, headers=bearer(kb.admin_key))
    assert response.status_code == 200
    assert {r["source"] for r in response.json()["results"]} == {"salaries.md"}
    body["filters"] = {"type": "eq", "key": "year"}
    refused = httpx.post(f"{kb.url}/v1/search", json=body, headers=bearer(kb.admin_key))
    assert refused.status_code == 400 and "filters" in refused.json()["error"]["message"]
