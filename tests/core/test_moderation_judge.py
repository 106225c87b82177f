"""The optional LLM judge for borderline moderation scores (core/providers/moderation_judge.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.errors import ProviderError
from core.providers.llm import Completion, Message, StreamEvent
from core.providers.llm_guard import GuardedChat
from core.providers.moderation import OPENAI_CATEGORIES, ModerationResult
from core.providers.moderation_judge import LLMJudgedModerator, parse_verdict
from core.settings import Settings
from tests.conftest import bearer
from tests.servers import FakeLLM

pytestmark = pytest.mark.unit


def result_with(**scores: float) -> ModerationResult:
    full = {name: scores.get(name.replace("/", "_").replace("-", "_"), 0.01) for name in OPENAI_CATEGORIES}
    categories = {name: score >= 0.5 for name, score in full.items()}
    return ModerationResult(flagged=any(categories.values()), categories=categories, category_scores=full)


class FixedModerator:
    def __init__(self, result: ModerationResult) -> None:
        self.result = result

    def check(self, text: str) -> ModerationResult:
        return self.result


class ScriptedJudge:
    model = "judge"

    def __init__(self, answer: str | Exception, delay_s: float = 0.0) -> None:
        self.answer, self.delay_s, self.calls = answer, delay_s, 0

    def complete(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Completion:
        self.calls += 1
        time.sleep(self.delay_s)
        if isinstance(self.answer, Exception):
            raise self.answer
        return Completion(text=self.answer, model=self.model)

    def stream(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Iterator[StreamEvent]:
        raise AssertionError("the judge never streams")


NOT_FLAGGED = json.dumps({"flagged": False, "categories": []})


def test_a_clear_result_is_not_sent_to_the_judge() -> None:
    judge = ScriptedJudge(NOT_FLAGGED)
    for clear in (result_with(), result_with(violence=0.97)):
        assert LLMJudgedModerator(FixedModerator(clear), judge).check("x") == clear
    assert judge.calls == 0


def test_the_judge_decides_the_borderline_categories_only() -> None:
    borderline = result_with(harassment=0.54, violence=0.99)
    cleared = LLMJudgedModerator(FixedModerator(borderline), ScriptedJudge(NOT_FLAGGED)).check("x")
    assert not cleared.categories["harassment"] and cleared.categories["violence"] and cleared.flagged
    quiet = result_with(self_harm_intent=0.41)
    verdict = json.dumps({"flagged": True, "categories": ["self-harm/intent"]})
    raised = LLMJudgedModerator(FixedModerator(quiet), ScriptedJudge(verdict)).check("x")
    assert raised.flagged and raised.categories["self-harm/intent"] and raised.categories["self-harm"]
    assert raised.category_scores == quiet.category_scores  # scores stay the classifier's


@pytest.mark.parametrize(
    "answer",
    [
        "not json",
        '```json\n{"flagged": false, "categories": []}\n```',
        '{"flagged": false}',
        '{"flagged": "no", "categories": []}',
        '{"flagged": false, "categories": ["spam"]}',
        '{"flagged": true, "categories": []}',
        '{"flagged": false, "categories": [], "reason": "fine"}',
    ],
)
def test_anything_but_the_strict_json_keeps_the_classifier_verdict(answer: str) -> None:
    assert parse_verdict(answer) is None
    borderline = result_with(harassment=0.54)
    assert LLMJudgedModerator(FixedModerator(borderline), ScriptedJudge(answer)).check("x") == borderline


def test_a_failing_or_slow_judge_falls_back_within_its_deadline() -> None:
    borderline = result_with(harassment=0.54)
    failing = ScriptedJudge(ProviderError("down"))
    assert LLMJudgedModerator(FixedModerator(borderline), failing).check("x") == borderline
    slow = GuardedChat(
        ScriptedJudge(NOT_FLAGGED, delay_s=2.0), deadline_s=0.2, max_concurrency=2, breaker_failures=3, cooldown_s=30
    )  # type: ignore[arg-type]
    started = time.perf_counter()
    assert LLMJudgedModerator(FixedModerator(borderline), slow).check("x") == borderline
    assert time.perf_counter() - started < 1.0


def test_the_band_must_hold_the_threshold() -> None:
    with pytest.raises(ValueError):
        LLMJudgedModerator(FixedModerator(result_with()), ScriptedJudge(NOT_FLAGGED), low=0.6, high=0.8)


@pytest.mark.integration
def test_moderations_endpoint_asks_the_configured_llm_about_a_borderline_text(
    settings: Settings, admin_key: str, fake_llm: FakeLLM
) -> None:
    configured = settings.model_copy(
        update={"llm_base_url": fake_llm.url, "llm_model": "fake-model", "moderation_llm_judge": True}
    )
    borderline = "how to make my boss quit"  # harassment just above the threshold on its own
    with TestClient(create_app(configured)) as client:
        fake_llm.script = [("text", NOT_FLAGGED)]
        judged = client.post("/v1/moderations", json={"input": borderline}, headers=bearer(admin_key)).json()
        assert len(fake_llm.requests) == 1 and not judged["results"][0]["flagged"]
        assert fake_llm.requests[0]["body"]["messages"][-1]["content"] == borderline
        fake_llm.script = [500]
        fallback = client.post("/v1/moderations", json={"input": borderline}, headers=bearer(admin_key)).json()
        assert fallback["results"][0]["flagged"]  # the judge failed: the classifier decides
        clear = client.post("/v1/moderations", json={"input": "How do I cook rice?"}, headers=bearer(admin_key))
        assert not clear.json()["results"][0]["flagged"] and len(fake_llm.requests) == 2
