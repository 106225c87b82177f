from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from core.errors import ProviderError
from core.providers.fakes import FakeEmbedder
from core.providers.lexical import LexicalEncoder
from core.vectorstore.base import ChunkRecord, point_id
from core.vectorstore.edge import EdgeVectorStore
from retrieval.access import AccessScope
from retrieval.rerank import HttpReranker
from retrieval.search import Retriever, SearchOptions
from retrieval.shaping import cap_per_document, drop_near_duplicates, mmr

pytestmark = pytest.mark.unit


@dataclass
class Item:
    text: str
    document_id: str
    score: float


def test_near_duplicates_dropped_but_overlap_windows_kept() -> None:
    boiler = "Confidential — do not distribute. Copyright Example Corp 2024. All rights reserved."
    a = "Revenue grew 12 percent in the third quarter, driven by cloud sales in Europe and Asia."
    b = "driven by cloud sales in Europe and Asia. Operating costs fell by 3 percent on lower travel."
    items = [Item(boiler, "d1", 3), Item(a, "d1", 2.5), Item(boiler + " ", "d2", 2), Item(b, "d1", 1)]
    kept = drop_near_duplicates(items)
    assert [i.text for i in kept] == [boiler, a, b]


def test_cap_per_document_and_mmr() -> None:
    items = [Item(f"text {i} about leave", "d1", 10 - i) for i in range(5)] + [Item("another topic entirely", "d2", 1)]
    assert [i.document_id for i in cap_per_document(items, 2)] == ["d1", "d1", "d2"]
    diverse = mmr(items, 2, lambda_=0.3)
    assert {i.document_id for i in diverse} == {"d1", "d2"}


@pytest.mark.parametrize(
    ("style", "reply"),
    [
        ("tei", [{"index": 1, "score": 0.9}, {"index": 0, "score": 0.1}]),
        ("cohere", {"results": [{"index": 1, "relevance_score": 0.9}, {"index": 0, "relevance_score": 0.1}]}),
    ],
)
def test_http_reranker_shapes(style: str, reply: object) -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        return httpx.Response(200, json=reply)

    reranker = HttpReranker(
        "http://rerank.test", style, "m", client=httpx.Client(transport=httpx.MockTransport(handler))
    )  # type: ignore[arg-type]
    assert reranker.rerank("q", ["a", "b"]) == [0.1, 0.9]
    assert ("texts" if style == "tei" else "documents") in seen[0]


def test_reranker_failure_keeps_fused_order(tmp_path: Path) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503)

    store = EdgeVectorStore(tmp_path / "q", 64)
    embedder, lexical = FakeEmbedder(64), LexicalEncoder()
    texts = ["annual leave is fifteen days", "expense claims within thirty days", "annual leave carry over rules"]
    store.upsert(
        [
            ChunkRecord(
                point_id("d", 1, i),
                embedder.embed_query(t),
                lexical.encode_document(t),
                {
                    "document_id": f"d{i}",
                    "collection_id": "c",
                    "read_groups": ["g"],
                    "version": 1,
                    "chunk_index": i,
                    "text": t,
                },
            )
            for i, t in enumerate(texts)
        ]
    )
    reranker = HttpReranker("http://rerank.test", client=httpx.Client(transport=httpx.MockTransport(broken)))
    with pytest.raises(ProviderError):
        reranker.rerank("q", ["x"])
    retriever = Retriever(embedder=embedder, lexical=lexical, store=store, statistics=None, reranker=reranker)
    scope = AccessScope({"c": "default"}, ["g"])
    plain = retriever.search("annual leave", scope, SearchOptions(top_k=3))
    reranked = retriever.search("annual leave", scope, SearchOptions(top_k=3, rerank=True))
    assert [h.chunk_id for h in plain] == [h.chunk_id for h in reranked]
    assert retriever.search("annual leave", AccessScope({}, ["g"]), SearchOptions()) == []
    assert retriever.search("annual leave", AccessScope({"c": "default"}, ["other"]), SearchOptions()) == []
    store.close()


def test_single_pass_selection_equals_the_separate_steps() -> None:
    from retrieval.shaping import select

    boiler = "Confidential notice repeated on every page of every report."
    items = [
        Item(boiler, f"d{i % 3}", 10 - i)
        if i % 4 == 0
        else Item(f"unique text number {i} about topic {i}", f"d{i % 3}", 10 - i)
        for i in range(12)
    ]
    for k in (1, 3, 5, 12):
        expected = cap_per_document(drop_near_duplicates(items), 2)[:k]
        assert select(items, k, max_per_document=2, dedupe=True) == expected
