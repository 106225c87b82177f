"""Hold streamed text back until each sentence passes moderation (and PII policy)."""

from __future__ import annotations

from core.providers.moderation import Moderator
from core.providers.pii import Policy, find_pii, redact
from core.text import sentence_spans

_ENDINGS = tuple(".!?;。！？；…\n")


class SentenceGate:
    def __init__(self, moderator: Moderator, pii_policy: dict[str, Policy]) -> None:
        self._moderator = moderator
        self._policy = pii_policy
        self._buffer = ""
        self.released = ""
        self.blocked: list[str] = []  # categories of the first sentence that failed

    def feed(self, delta: str) -> str:
        """Add streamed text; returns the text now safe to show (whole sentences only)."""
        if self.blocked:
            return ""
        self._buffer += delta
        spans = sentence_spans(self._buffer)
        complete_until = 0
        for start, end in spans:
            tail = self._buffer[end:]
            ended = self._buffer[start:end].endswith(_ENDINGS) or (
                tail[:1].isspace() and end < len(self._buffer.rstrip())
            )
            if ended and end < len(self._buffer):
                complete_until = end
        if not complete_until:
            return ""
        ready, self._buffer = self._buffer[:complete_until], self._buffer[complete_until:]
        return self._check(ready)

    def flush(self) -> str:
        if self.blocked:
            return ""
        ready, self._buffer = self._buffer, ""
        return self._check(ready) if ready else ""

    def _check(self, text: str) -> str:
        for start, end in sentence_spans(text):
            result = self._moderator.check(text[start:end])
            if result.flagged:
                self.blocked = result.flagged_categories
                return ""
        matches = find_pii(text)
        if any(self._policy.get(m.type) == "block" for m in matches):
            self.blocked = sorted({f"pii:{m.type}" for m in matches if self._policy.get(m.type) == "block"})
            return ""
        safe = redact(text, matches, self._policy)
        self.released += safe
        return safe
