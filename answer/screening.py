"""Input moderation and PII: a message is refused if the moderator flags it or it carries PII the
policy blocks; otherwise PII is redacted before anything is stored or searched."""

from __future__ import annotations

from core.providers.moderation import Moderator
from core.providers.pii import Policy, find_pii, redact

REFUSAL = {
    "en": "I can't help with that request. It was blocked by the content policy ({categories}).",
    "zh": "抱歉，该请求无法处理：内容因违反使用规范（{categories}）已被拦截。",
}


def refusal(language: str, categories: list[str]) -> str:
    return REFUSAL[language].format(categories=", ".join(categories))


class InputScreen:
    def __init__(self, moderator: Moderator, pii_policy: dict[str, Policy]) -> None:
        self.moderator, self.pii_policy = moderator, pii_policy

    def blocked_categories(self, message: str) -> list[str]:
        """The categories the message is refused for; empty when it may be answered."""
        result = self.moderator.check(message)
        if result.flagged:
            return result.flagged_categories
        return sorted({f"pii:{m.type}" for m in find_pii(message) if self.pii_policy.get(m.type) == "block"})

    def redact(self, message: str) -> str:
        return redact(message, find_pii(message), self.pii_policy)
