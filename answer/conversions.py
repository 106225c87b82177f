"""Which way a conversion goes. "Which model turns audio into text?" is answered by whisper-1's
"语音转文字", not by tts-1's "文字转语音": the two lines hold the same words, only their order says
which is which. A conversion is a pair (from, to): "X转Y", "X转成Y", "把X转换为Y", "X-to-Y", "turn / convert
/ transcribe X into / to Y". The caller gives the sides' terms (their words, their glosses)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# (up to four Chinese characters on each side: "想把录音转成文字" → 想把录音 / 文字)
# (not 转向 / 转发 / 转账 …: a turn, a forward, a transfer)
_ZH = re.compile(
    r"([\u4e00-\u9fff]{1,4}?)(?:转换成|转换为|转化为|转成|转为|转(?![向发账移让载变折入出交达告身]))([\u4e00-\u9fff]{1,4})"
)
_EN_HYPHENATED = re.compile(r"\b([A-Za-z]+)-to-([A-Za-z]+)\b", re.I)
_EN_VERB = re.compile(
    r"\b(?:turn|turns|turning|convert|converts|converting|transcribe|transcribes|transcribing|transform|"
    r"transforms|change|changes)\s+(?:(?:an?|the|our|my|your|their|this|these|some)\s+)?"
    r"((?:[A-Za-z0-9]+\s+){0,2}?[A-Za-z0-9]+)\s+(?:in)?to\s+(?:an?\s+|the\s+)?([A-Za-z]+)\b",
    re.I,
)

SAME, REVERSED, NEITHER = 1, -1, 0


@dataclass(frozen=True)
class Conversion:
    source: str
    target: str


def conversions(text: str) -> list[Conversion]:
    """The conversions ``text`` states, in the order it states them."""
    found = [Conversion(m.group(1), m.group(2)) for m in _ZH.finditer(text)]
    found += [Conversion(m.group(1), m.group(2)) for m in _EN_HYPHENATED.finditer(text)]
    found += [Conversion(m.group(1), m.group(2)) for m in _EN_VERB.finditer(text)]
    return found


def direction(
    asked: list[tuple[frozenset[object], frozenset[object]]],
    stated: list[Conversion],
    sentence_terms: Callable[[str], frozenset[object]],
) -> int:
    """SAME when a conversion the sentence states goes the way one the question asks about does (a
    side of each meets its counterpart and neither meets the other side), REVERSED when one goes the
    other way, else NEITHER. ``asked``: the terms of each asked conversion's (source, target)."""
    for want_from, want_to in asked:
        for sentence in stated:
            has_from, has_to = sentence_terms(sentence.source), sentence_terms(sentence.target)
            along = bool(want_from & has_from) or bool(want_to & has_to)
            against = bool(want_from & has_to) or bool(want_to & has_from)
            if along and not against:
                return SAME
            if against and not along:
                return REVERSED
    return NEITHER
