"""A second opinion for borderline scores: the configured OpenAI-compatible LLM as a judge.

Off by default (``KNOWBASE_MODERATION_LLM_JUDGE=true`` turns it on when an LLM is configured). Only
a text whose calibrated score lies in the borderline band for some category (by default 0.35-0.75;
0.5 is the classifier's threshold) is sent; the judge answers strict JSON,
``{"flagged": bool, "categories": [names]}``, and decides only the borderline categories. Anything
else (a timeout, an error, an open circuit breaker, text that is not exactly that JSON) keeps the
classifier's verdict, so the judge can never make moderation slower than its deadline or absent.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace

from core.errors import ProviderError
from core.providers.llm import ChatModel, Message
from core.providers.moderation import OPENAI_CATEGORIES, PARENT_CATEGORY, ModerationResult, Moderator

log = logging.getLogger(__name__)

JUDGE_PROMPT = (
    "You are a content-moderation judge for a company knowledge-base assistant. Decide whether the "
    "user text below is itself harmful in one of these categories: "
    + ", ".join(OPENAI_CATEGORIES)
    + ". Judge intent, not topic: questions about policies, compliance, safety, prevention, history, "
    "IT operations (kill a process) or everyday matters are not harmful even when they mention "
    "sensitive words. Answer with JSON only, no prose, exactly: "
    '{"flagged": true|false, "categories": ["category", ...]} (an empty list when not flagged).'
)
MAX_JUDGED_CHARS = 4000  # a judge sees at most this much of the text (the worst chunk decides anyway)


def parse_verdict(text: str) -> set[str] | None:
    """The categories the judge flags, or None when its answer is not the strict JSON asked for."""
    try:
        verdict = json.loads(text.strip())
    except ValueError:
        return None
    if not isinstance(verdict, dict) or set(verdict) != {"flagged", "categories"}:
        return None
    flagged, categories = verdict["flagged"], verdict["categories"]
    if not isinstance(flagged, bool) or not isinstance(categories, list):
        return None
    if not all(isinstance(name, str) and name in OPENAI_CATEGORIES for name in categories):
        return None
    if flagged != bool(categories):
        return None
    return set(categories)


class LLMJudgedModerator:
    """Wraps a moderator: borderline results go to ``judge`` for the final word on those categories."""

    def __init__(self, inner: Moderator, judge: ChatModel, *, low: float = 0.35, high: float = 0.75) -> None:
        if not 0 <= low < 0.5 < high <= 1:
            raise ValueError("the borderline band must contain the threshold 0.5")
        self.inner, self.judge, self.low, self.high = inner, judge, low, high

    def borderline(self, result: ModerationResult) -> list[str]:
        return [name for name, score in result.category_scores.items() if self.low <= score < self.high]

    def check(self, text: str) -> ModerationResult:
        result = self.inner.check(text)
        undecided = self.borderline(result)
        if not undecided:
            return result
        messages: list[Message] = [
            {"role": "system", "content": JUDGE_PROMPT},
            {"role": "user", "content": text[:MAX_JUDGED_CHARS]},
        ]
        try:
            answer = self.judge.complete(messages, max_tokens=80, temperature=0.0).text
        except ProviderError as error:
            log.warning("moderation judge unavailable; the classifier decides", extra={"error": error.message})
            return result
        flagged = parse_verdict(answer)
        if flagged is None:
            log.warning("moderation judge answered malformed JSON; the classifier decides")
            return result
        flagged |= {PARENT_CATEGORY[name] for name in flagged if name in PARENT_CATEGORY}
        categories = dict(result.categories)
        for name in undecided:
            categories[name] = name in flagged
        for child, parent in PARENT_CATEGORY.items():  # a flagged sub-category still flags its parent
            categories[parent] = categories[parent] or categories[child]
        return replace(result, flagged=any(categories.values()), categories=categories)
