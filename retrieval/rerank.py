"""Optional cross-encoder reranking over HTTP: TEI's ``/rerank`` or the Cohere/Jina shape."""

from __future__ import annotations

import logging
from typing import Any, Literal

import httpx

from core.errors import ProviderError

log = logging.getLogger(__name__)


class HttpReranker:
    def __init__(
        self,
        base_url: str,
        style: Literal["tei", "cohere"] = "tei",
        model: str = "",
        api_key: str | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/rerank"
        self._style = style
        self._model = model
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = client or httpx.Client(timeout=httpx.Timeout(30.0, connect=5.0))

    def rerank(self, query: str, texts: list[str]) -> list[float]:
        """One relevance score per text, in input order."""
        if not texts:
            return []
        if self._style == "tei":
            body: dict[str, Any] = {"query": query, "texts": texts, "raw_scores": False}
        else:
            body = {"query": query, "documents": texts, "top_n": len(texts)}
            if self._model:
                body["model"] = self._model
        try:
            response = self._client.post(self._url, json=body, headers=self._headers)
            response.raise_for_status()
            data = response.json()
            items = data if isinstance(data, list) else data["results"]
            scores = [0.0] * len(texts)
            for item in items:
                scores[int(item["index"])] = float(item.get("score", item.get("relevance_score", 0.0)))
            return scores
        except (httpx.HTTPError, KeyError, ValueError, TypeError, IndexError) as error:
            raise ProviderError(f"reranker failed: {error}") from error
