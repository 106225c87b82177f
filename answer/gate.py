"""Hold streamed text back until each sentence passes moderation (and PII policy).

Output moderation judges what the LLM wrote, not what the documents say: a sentence (or a quoted
part of one) found verbatim in a source the caller may read is not judged for its topic, so a
compliance manual about money laundering or a self-harm prevention policy stays answerable. An
extractive answer is made only of such quotes and is not judged for topic at all. PII policy
applies to every sentence either way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from answer.citations import MARKER
from core.providers.moderation import Moderator
from core.providers.pii import Policy, find_pii, redact
from core.text import sentence_spans

_ENDINGS = tuple(".!?;。！？；…\n")
_MARKUP = re.compile(r"\*\*|__|`")
_SPACE = re.compile(r"\s+")
_EDGE = "-*•>#:：,，\"'“”‘’「」『』《》()（）"
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"|「([^」]+)」|『([^』]+)』")
_COLON = re.compile(r"[:：]")
# Shorter fragments match a source by chance too easily to excuse them (spaces not counted).
MIN_QUOTE_CHARS = 24
MIN_QUOTE_CJK = 8
_CJK = re.compile(r"[\u3400-\u9fff]")


def _plain(text: str) -> str:
    """Compared without markers, markup and whitespace (line wraps and "[1] ." differ from the source)."""
    return _SPACE.sub("", _MARKUP.sub("", MARKER.sub("", text))).strip(_EDGE)


class SentenceGate:
    def __init__(
        self,
        moderator: Moderator,
        pii_policy: dict[str, Policy],
        *,
        readable: Sequence[str] = (),
        quotes_only: bool = False,
    ) -> None:
        """``readable``: the texts of the sources the caller may read (verbatim quotes of them are
        not judged for topic); ``quotes_only``: the text is an extractive answer, nothing generated."""
        self._moderator = moderator
        self._policy = pii_policy
        self._sources = [_plain(text) for text in readable]
        self._quotes_only = quotes_only
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

    def _is_quote(self, text: str) -> bool:
        plain = _plain(text)
        long_enough = len(plain) >= MIN_QUOTE_CHARS or len(_CJK.findall(plain)) >= MIN_QUOTE_CJK
        return long_enough and any(plain in source for source in self._sources)

    def generated_part(self, sentence: str) -> str:
        """What moderation judges: the sentence without its verbatim quotes of readable sources."""
        if self._quotes_only or self._is_quote(sentence):
            return ""
        rest = _QUOTED.sub(lambda m: " " if self._is_quote(m.group(0)) else m.group(0), sentence)
        for colon in _COLON.finditer(rest):  # "The manual says: <verbatim sentence>"
            if self._is_quote(rest[colon.end() :]):
                rest = rest[: colon.end()]
                break
        return _SPACE.sub(" ", MARKER.sub("", rest)).strip()

    def _check(self, text: str) -> str:
        for start, end in sentence_spans(text):
            judged = self.generated_part(text[start:end])
            result = self._moderator.check(judged) if judged else None
            if result is not None and result.flagged:
                self.blocked = result.flagged_categories
                return ""
        matches = find_pii(text)
        if any(self._policy.get(m.type) == "block" for m in matches):
            self.blocked = sorted({f"pii:{m.type}" for m in matches if self._policy.get(m.type) == "block"})
            return ""
        safe = redact(text, matches, self._policy)
        self.released += safe
        return safe
