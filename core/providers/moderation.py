"""Content moderation on input and output, with OpenAI's category names.

- ``LocalModerator`` (``core/providers/moderation_classifier.py``): a trained classifier over
  multilingual sentence embeddings, plus the few certain rules; runs offline.
- ``OpenAIModerator``: any OpenAI-compatible ``/v1/moderations`` endpoint.

PII is separate (``core/providers/pii.py``): it is redacted or blocked by policy, not "flagged".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import httpx

from core.errors import ProviderError

CATEGORIES = ("hate", "harassment", "self-harm", "sexual", "violence", "illicit")


@dataclass
class ModerationResult:
    flagged: bool
    categories: dict[str, bool]
    category_scores: dict[str, float] = field(default_factory=dict)
    # OpenAI's ``category_applied_input_types``: which inputs ("text", "image") each verdict used.
    category_applied_input_types: dict[str, list[str]] = field(default_factory=dict)

    @property
    def flagged_categories(self) -> list[str]:
        return [name for name, hit in self.categories.items() if hit]


class Moderator(Protocol):
    def check(self, text: str) -> ModerationResult: ...


class OpenAIModerator:
    """``POST {base_url}/moderations``; OpenAI's sub-categories fold into ours (``self-harm/intent`` → ``self-harm``)."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str = "omni-moderation-latest",
        client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url.rstrip("/") + "/moderations"
        self._headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._model = model
        self._client = client or httpx.Client(timeout=httpx.Timeout(20.0, connect=5.0))

    def check(self, text: str) -> ModerationResult:
        try:
            response = self._client.post(self._url, json={"input": text, "model": self._model}, headers=self._headers)
            response.raise_for_status()
            result = response.json()["results"][0]
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as error:
            raise ProviderError(f"moderation service failed: {error}") from error
        categories = {name: False for name in CATEGORIES}
        scores = {name: 0.0 for name in CATEGORIES}
        for name, hit in (result.get("categories") or {}).items():
            base = name.split("/")[0]
            if base in categories:
                categories[base] = categories[base] or bool(hit)
                scores[base] = max(scores[base], float((result.get("category_scores") or {}).get(name, 0.0)))
        return ModerationResult(
            flagged=bool(result.get("flagged", any(categories.values()))), categories=categories, category_scores=scores
        )
