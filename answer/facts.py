"""The key facts of a claim — numbers, amounts, dates, versions, codes and proper names — and
whether a quote states each of them. Numbers compare by value after normalisation (十五 = 15,
272K = 272,000, 1,000 = 1000, 3万 = 30000), so a citation is kept only when its quote says the same
thing the claim says, not merely the same words."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_SUFFIX = {"k": 1e3, "m": 1e6, "b": 1e9, "千": 1e3, "万": 1e4, "亿": 1e8}
_SUFFIX_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9}

# 1,000.5 / 272K / 3万 / 2.5 million — a suffix only counts when no letter follows (272K, not 272Kbps)
NUMBER = re.compile(
    r"(?<![A-Za-z0-9_.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s?(?:(k|m|b)(?![a-z])|(千|万|亿)|(thousand|million|billion)\b)?",
    re.IGNORECASE,
)
CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万亿]{1,12}")
VERSION = re.compile(r"\b(?:[vV]\d+(?:\.\d+){0,3}|\d+(?:\.\d+){2,3})\b")
# GPT-4o, whisper-1, ISO-9001, BANANAFISH, VPN: a token with a digit or in capitals
CODE = re.compile(r"\b(?:[A-Za-z]+[-_]?\d[\w.-]*|[A-Z]{2,}[A-Z0-9-]*)\b")
PROPER = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*\b")
_MARKUP = re.compile(r"[*#`>~]+")  # markdown emphasis, headings, code ticks, quotes: not words
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:：]\s*|\n\s*|[-*]\s+)$")


@dataclass(frozen=True)
class Facts:
    numbers: frozenset[float]
    names: frozenset[str]  # lower-cased codes, versions and proper names

    def __bool__(self) -> bool:
        return bool(self.numbers or self.names)


def chinese_number(text: str) -> float | None:
    """十五 → 15, 三百二十 → 320, 两万 → 20000, 一二三 → 123; None when it is not a number."""
    if not text or not all(c in _CN_DIGITS or c in _CN_UNITS or c in _CN_BIG for c in text):
        return None
    if all(c in _CN_DIGITS for c in text):
        return float("".join(str(_CN_DIGITS[c]) for c in text)) if len(text) > 1 or text != "零" else 0.0
    total, section, digit = 0, 0, None
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[char]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _CN_BIG[char]
            section, digit = 0, None
    return float(total + section + (digit or 0))


def numbers_in(text: str, as_written: bool = False) -> set[float]:
    """Values of the numbers in ``text``; ``as_written`` also keeps 272 for "272K" (a quote states both)."""
    values: set[float] = set()
    for match in NUMBER.finditer(text):
        value = float(match.group(1).replace(",", "") + (match.group(2) or ""))
        suffix = match.group(3) or match.group(4) or match.group(5)
        if suffix:
            values.add(value * (_SUFFIX.get(suffix.lower()) or _SUFFIX_WORDS[suffix.lower()]))
        if as_written or not suffix:
            values.add(value)
    for match in CHINESE_NUMBER.finditer(text):
        word = match.group(0)
        if len(word) == 1 and word in "千万亿":
            continue
        spelled = chinese_number(word)
        if spelled is not None and word != "一":  # a lone 一 is mostly "a" / "one of", not a quantity
            values.add(spelled)
    return values


def facts_of(claim: str) -> Facts:
    claim = _MARKUP.sub("", claim)  # "**Rule:** Employees…" starts a sentence like "Rule: Employees…"
    names = {m.group(0).lower() for m in VERSION.finditer(claim)}
    names |= {m.group(0).lower() for m in CODE.finditer(claim) if not m.group(0).isdigit()}
    for match in PROPER.finditer(claim):
        if not _SENTENCE_START.search(claim[: match.start()]):  # a capital after a full stop is not a name
            names.add(match.group(0).lower())
    # A version's digits are covered by the version itself; numbers elsewhere are facts of their own.
    bare = VERSION.sub(" ", CODE.sub(" ", claim))
    return Facts(frozenset(numbers_in(bare)), frozenset(names))


def missing_facts(claim: str, quote: str) -> list[str]:
    """The claim's key facts the quote does not state (empty: the quote supports them all)."""
    facts = facts_of(claim)
    if not facts:
        return []
    lowered = quote.lower()
    quoted_numbers = numbers_in(quote, as_written=True)
    missing = [name for name in sorted(facts.names) if name not in lowered]
    missing += [f"{value:g}" for value in sorted(facts.numbers) if value not in quoted_numbers]
    return missing
