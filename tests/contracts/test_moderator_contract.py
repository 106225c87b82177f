"""The Moderator contract: every one of the 13 OpenAI categories has a verdict, a score in [0, 1]
and its input types; a sub-category's verdict also flags its parent; harmless text passes."""

from __future__ import annotations

import json

import httpx
import pytest

from core.providers.moderation import OPENAI_CATEGORIES, PARENT_CATEGORY, Moderator, OpenAIModerator
from core.providers.moderation_classifier import LocalModerator

HARMFUL = "I will kill you tomorrow"
HARMLESS = "What are the office hours on weekdays?"


class ModeratorContract:
    @pytest.fixture
    def moderator(self) -> Moderator:
        raise NotImplementedError

    def test_harmless_text_passes_with_every_category(self, moderator: Moderator) -> None:
        result = moderator.check(HARMLESS)
        assert not result.flagged and set(result.categories) == set(OPENAI_CATEGORIES)
        assert all(0.0 <= result.category_scores[name] <= 1.0 for name in OPENAI_CATEGORIES)
        assert set(result.category_applied_input_types) == set(OPENAI_CATEGORIES)

    def test_threat_is_flagged_under_violence_or_harassment(self, moderator: Moderator) -> None:
        result = moderator.check(HARMFUL)
        assert result.flagged and {"violence", "harassment"} & set(result.flagged_categories)
        for child, parent in PARENT_CATEGORY.items():
            assert not result.categories[child] or result.categories[parent]


@pytest.mark.unit
class TestLocalModerator(ModeratorContract):
    @pytest.fixture
    def moderator(self) -> Moderator:
        return LocalModerator()


def _moderation_server(request: httpx.Request) -> httpx.Response:
    """An OpenAI-shaped /moderations endpoint: a threat scores on violence and harassment/threatening."""
    text = json.loads(request.content)["input"]
    threat = "kill" in text.lower()
    hits = {"violence", "harassment/threatening"} if threat else set()
    return httpx.Response(
        200,
        json={
            "id": "modr-1",
            "model": "omni-moderation-latest",
            "results": [
                {
                    "flagged": threat,
                    "categories": {name: name in hits for name in OPENAI_CATEGORIES},
                    "category_scores": {name: 0.9 if name in hits else 0.01 for name in OPENAI_CATEGORIES},
                    "category_applied_input_types": {name: ["text"] for name in OPENAI_CATEGORIES},
                }
            ],
        },
    )


@pytest.mark.unit
class TestOpenAIModerator(ModeratorContract):
    @pytest.fixture
    def moderator(self) -> Moderator:
        return OpenAIModerator(
            "http://mod.test/v1", client=httpx.Client(transport=httpx.MockTransport(_moderation_server))
        )
