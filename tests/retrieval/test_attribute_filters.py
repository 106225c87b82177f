"""OpenAI's attribute filters, validated and evaluated inside the query by both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.errors import BadRequest
from core.providers.fakes import FakeEmbedder
from core.providers.lexical import LexicalEncoder
from core.vectorstore.base import ChunkRecord, StoreFilter, point_id
from retrieval.filters import parse_filter

pytestmark = pytest.mark.integration

CHUNKS: dict[str, dict[str, Any] | None] = {
    "sales-2024": {"team": "sales", "year": 2024, "public": True, "score": 4.5},
    "sales-2019": {"team": "sales", "year": 2019, "public": False},
    "hr-2024": {"team": "hr", "year": 2024, "public": True, "score": 3},
    "it-2023": {"team": "it", "year": 2023.0},
    "no-attributes": None,
}


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "edge":
        from core.vectorstore.edge import EdgeVectorStore

        instance = EdgeVectorStore(tmp_path / "qdrant", dim=16)
    else:
        from qdrant_client import QdrantClient

        from core.vectorstore.server import ServerVectorStore

        instance = ServerVectorStore(QdrantClient(":memory:"), "attrs", dim=16)
    instance.ensure_collection()
    embedder, lexical = FakeEmbedder(16), LexicalEncoder()
    records = []
    for name, attributes in CHUNKS.items():
        payload: dict[str, Any] = {"document_id": name, "collection_id": "c1", "read_groups": ["g"], "version": 1}
        payload |= {"chunk_index": 0, "text": f"policy {name}"}
        if attributes is not None:
            payload["attributes"] = attributes
        records.append(
            ChunkRecord(point_id(name, 1, 0), embedder.embed_query(name), lexical.encode_document(name), payload)
        )
    instance.upsert(records)
    instance.embedder, instance.lexical = embedder, lexical
    yield instance
    instance.close()


def _matching(store: Any, raw: dict[str, Any], **where: Any) -> set[str]:
    condition = parse_filter(raw)
    hits = store.fetch(StoreFilter(attributes=condition, **where), limit=100)
    return {hit.payload["document_id"] for hit in hits}


CASES = [
    ({"type": "eq", "key": "team", "value": "sales"}, {"sales-2024", "sales-2019"}),
    ({"type": "eq", "key": "year", "value": 2023}, {"it-2023"}),  # a stored 2023.0 equals 2023
    ({"type": "eq", "key": "year", "value": "2024"}, set()),  # a string never equals a number
    ({"type": "eq", "key": "public", "value": True}, {"sales-2024", "hr-2024"}),
    ({"type": "ne", "key": "team", "value": "sales"}, {"hr-2024", "it-2023", "no-attributes"}),
    ({"type": "gt", "key": "year", "value": 2023}, {"sales-2024", "hr-2024"}),
    ({"type": "gte", "key": "year", "value": 2023}, {"sales-2024", "hr-2024", "it-2023"}),
    ({"type": "lt", "key": "score", "value": 4}, {"hr-2024"}),
    ({"type": "lte", "key": "year", "value": 2019.0}, {"sales-2019"}),
    ({"type": "in", "key": "team", "value": ["hr", "it"]}, {"hr-2024", "it-2023"}),
    ({"type": "in", "key": "year", "value": [2019, 2023]}, {"sales-2019", "it-2023"}),
    ({"type": "nin", "key": "team", "value": ["sales", "hr"]}, {"it-2023", "no-attributes"}),
    ({"type": "eq", "key": "missing", "value": 1}, set()),
    (
        {
            "type": "and",
            "filters": [
                {"type": "in", "key": "team", "value": ["sales", "hr"]},
                {
                    "type": "or",
                    "filters": [
                        {"type": "lt", "key": "year", "value": 2020},
                        {"type": "eq", "key": "public", "value": True},
                    ],
                },
            ],
        },
        {"sales-2024", "sales-2019", "hr-2024"},
    ),
    (
        {
            "type": "or",
            "filters": [{"type": "eq", "key": "team", "value": "it"}, {"type": "gte", "key": "score", "value": 4}],
        },
        {"it-2023", "sales-2024"},
    ),
]


@pytest.mark.parametrize(("raw", "expected"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_each_operator_matches_like_openai(store: Any, raw: dict[str, Any], expected: set[str]) -> None:
    assert _matching(store, raw) == expected


def test_the_filter_narrows_the_access_filter_never_widens_it(store: Any) -> None:
    everything = {"type": "or", "filters": [{"type": "eq", "key": "team", "value": t} for t in ("sales", "hr", "it")]}
    assert _matching(store, everything, read_groups=["other-group"]) == set()
    assert _matching(store, everything, collection_ids=["c2"]) == set()
    query = store.embedder.embed_query("hr-2024")
    where = StoreFilter(read_groups=["g"], attributes=parse_filter({"type": "eq", "key": "team", "value": "sales"}))
    hits = store.query(dense=query, sparse=store.lexical.encode_query("policy"), where=where, limit=10)
    assert hits and {h.payload["document_id"] for h in hits} == {"sales-2024", "sales-2019"}


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"type": "like", "key": "a", "value": 1}, "type"),
        ({"type": "eq", "key": "a"}, "value"),
        ({"type": "in", "key": "a", "value": "x"}, "takes a list"),
        ({"type": "eq", "key": "a", "value": ["x"]}, "single value"),
        ({"type": "gt", "key": "a", "value": "2024-01-01"}, "compares numbers"),
        ({"type": "eq", "key": "a.b", "value": 1}, "may not contain"),
        ({"type": "eq", "key": "", "value": 1}, "key"),
        ({"type": "eq", "key": "a", "value": "x" * 513}, "value"),
        ({"type": "and", "filters": []}, "filters"),
        ("team = sales", "filters"),
    ],
)
def test_invalid_filters_are_a_400_that_says_why(raw: Any, why: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_filter(raw)
    assert refused.value.status_code == 400
    assert why in refused.value.message
    assert refused.value.details == {"param": "filters"}


def test_filters_are_bounded_in_size_and_depth() -> None:
    deep: dict[str, Any] = {"type": "eq", "key": "a", "value": 1}
    for _ in range(6):
        deep = {"type": "and", "filters": [deep]}
    with pytest.raises(BadRequest, match="nested"):
        parse_filter(deep)
    wide = {"type": "or", "filters": [{"type": "or", "filters": [{"type": "eq", "key": "a", "value": 1}] * 60}] * 2}
    with pytest.raises(BadRequest, match="at most 64"):
        parse_filter(wide)
