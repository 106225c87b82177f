"""Text helpers shared by ingestion and answering: sentence spans for Chinese and English."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"'”’)\]]*\s+|(?<=[。！？；…])[”’」』）]*\s*|\n+")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text[start:end]``, trailing spaces excluded.
    Ends at . ! ? ; and the Chinese 。！？；… (closing quotes stay with their sentence) and at newlines."""
    end = len(text) if end is None else end
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        if match.end() > position:
            stop = match.start() if text[match.start() : match.end()].isspace() else match.end()
            stop = len(text[position:stop].rstrip()) + position
            if stop > position:
                spans.append((position, stop))
            position = match.end()
    if position < end and text[position:end].strip():
        spans.append((position, len(text[position:end].rstrip()) + position))
    return spans


def is_chinese(text: str) -> bool:
    """Mostly Chinese: decides the language of fixed phrases in answers."""
    cjk = len(_CJK_CHAR.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    return cjk > 0 and cjk >= 0.3 * max(letters, 1)
