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
import openai

from core.errors import ProviderError
from core.providers.openai_client import SDKClient, error_detail

CATEGORIES = ("hate", "harassment", "self-harm", "sexual", "violence", "illicit")
OPENAI_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/intent",
    "self-harm/instructions",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
PARENT_CATEGORY = {name: name.split("/")[0] for name in OPENAI_CATEGORIES if "/" in name}


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
    """``POST {base_url}/moderations`` through the official SDK. All 13 OpenAI categories are kept,
    sub-categories included; a sub-category's verdict and score also count for its parent
    (``self-harm/intent`` → ``self-harm``), as ``LocalModerator`` does."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        model: str = "omni-moderation-latest",
        client: httpx.Client | None = None,
        timeout_s: float = 20.0,
        max_retries: int = 2,
    ) -> None:
        self._model = model
        self._client = SDKClient(
            base_url=base_url.rstrip("/"),
            api_key=api_key or "none",
            timeout=httpx.Timeout(timeout_s, connect=5.0),
            max_retries=max_retries,
            http_client=client,
            backoff_s=0.5,
            max_backoff_s=5.0,
        )

    def close(self) -> None:
        self._client.close()

    def check(self, text: str) -> ModerationResult:
        try:
            response = self._client.with_raw_response.moderations.create(input=text, model=self._model)
            body = response.http_response.json()
            result = body["results"][0]
            raw_categories = dict(result.get("categories") or {})
            raw_scores = dict(result.get("category_scores") or {})
            raw_types = dict(result.get("category_applied_input_types") or {})
        except openai.APIStatusError as error:
            raise ProviderError(f"moderation service failed ({error.status_code}): {error_detail(error)}") from error
        except (openai.OpenAIError, KeyError, IndexError, ValueError, TypeError, AttributeError) as error:
            raise ProviderError(f"moderation service failed: {error}") from error
        categories = {name: bool(raw_categories.get(name, False)) for name in OPENAI_CATEGORIES}
        scores = {name: float(raw_scores.get(name, 0.0) or 0.0) for name in OPENAI_CATEGORIES}
        for child, parent in PARENT_CATEGORY.items():
            categories[parent] = categories[parent] or categories[child]
            scores[parent] = max(scores[parent], scores[child])
        input_types = {name: [str(t) for t in raw_types.get(name) or ["text"]] for name in OPENAI_CATEGORIES}
        return ModerationResult(
            flagged=bool(result.get("flagged", any(categories.values()))),
            categories=categories,
            category_scores=scores,
            category_applied_input_types=input_types,
        )
