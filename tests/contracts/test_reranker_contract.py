"""The reranker contract: one score per text in input order, the relevant text first, nothing for
nothing; run against HttpReranker in both wire styles behind a word-overlap fake server."""

from __future__ import annotations

import json

import httpx
import pytest

from retrieval.rerank import HttpReranker


def _overlap_server(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    texts = body.get("texts") or body.get("documents") or []
    words = set(body["query"].lower().split())
    scores = [len(words & set(t.lower().split())) / (len(words) or 1) for t in texts]
    ranked = sorted(range(len(texts)), key=lambda i: -scores[i])  # servers answer best first
    if "texts" in body:
        return httpx.Response(200, json=[{"index": i, "score": scores[i]} for i in ranked])
    return httpx.Response(200, json={"results": [{"index": i, "relevance_score": scores[i]} for i in ranked]})


class RerankerContract:
    @pytest.fixture
    def reranker(self) -> HttpReranker:
        raise NotImplementedError

    def test_scores_in_input_order(self, reranker: HttpReranker) -> None:
        texts = ["office hours are nine to five", "remote workers must use the vpn", "annual leave"]
        scores = reranker.rerank("do remote workers need the vpn", texts)
        assert len(scores) == 3 and max(range(3), key=lambda i: scores[i]) == 1

    def test_nothing_for_nothing(self, reranker: HttpReranker) -> None:
        assert reranker.rerank("anything", []) == []


@pytest.mark.unit
class TestTeiReranker(RerankerContract):
    @pytest.fixture
    def reranker(self) -> HttpReranker:
        return HttpReranker(
            "http://rerank.test", "tei", client=httpx.Client(transport=httpx.MockTransport(_overlap_server))
        )


@pytest.mark.unit
class TestCohereReranker(RerankerContract):
    @pytest.fixture
    def reranker(self) -> HttpReranker:
        client = httpx.Client(transport=httpx.MockTransport(_overlap_server))
        return HttpReranker("http://rerank.test/v1", "cohere", model="m", client=client)
