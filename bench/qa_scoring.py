"""Scoring for question-answering benchmarks: does an answer contain a gold answer, cite a gold
document with a verbatim quote, or decline when the documents hold no answer?

Answers and gold strings are compared after ``normalise``: Unicode width (NFKC), case, whitespace,
thousands separators, Chinese numerals and currency spelling, so "$5", "5 美元" and "五美元" match.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_DOLLAR_PREFIX = re.compile(r"(?:us)?\$(\d+(?:\.\d+)?)")
_DOLLAR_SUFFIX = re.compile(r"(\d+(?:\.\d+)?)(?:dollars?|usd)")
_DASHES = re.compile(r"[\u2010-\u2015~\u301c]")


def chinese_numeral_value(run: str) -> int | None:
    """The value of a run of Chinese numerals ("十五" -> 15, "二〇二五" -> 2025), or None when the
    run is only a unit character with no digit (a lone "万" or "千" is a word, not a number)."""
    if not any(ch in _DIGITS or ch == "十" for ch in run):
        return None
    if all(ch in _DIGITS for ch in run):  # digit by digit, as in years
        return int("".join(str(_DIGITS[ch]) for ch in run))
    total = section = number = 0
    for ch in run:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            section += (number or 1) * _UNITS[ch]
            number = 0
        else:  # 万
            total += (section + number or 1) * 10_000
            section = number = 0
    return total + section + number


def _numerals_to_digits(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = chinese_numeral_value(match.group(0))
        return match.group(0) if value is None else str(value)

    return _NUMERAL_RUN.sub(replace, text)


_BOUNDARY = "\x1f"  # where a "$" stood before a number: "GPT-5$1.25" holds "$1.25", not "51.25"


def normalise(text: str, keep_boundaries: bool = False) -> str:
    """Text reduced to what an answer check should compare (see the module docstring);
    ``keep_boundaries`` marks where a dollar sign started a number (for the text searched in)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _DASHES.sub("-", text)
    text = _numerals_to_digits(text)
    text = "".join(text.split())
    text = _THOUSANDS.sub("", text)
    text = _DOLLAR_PREFIX.sub((_BOUNDARY if keep_boundaries else "") + r"\1美元", text)
    return _DOLLAR_SUFFIX.sub(r"\1美元", text)


def contains_gold(answer: str, golds: list[str]) -> bool:
    """Whether the answer holds one of the gold strings; a number must be whole ("20美元" is not
    found in "120美元", nor "10" in "100")."""
    normalised = normalise(answer, keep_boundaries=True)
    for gold in golds:
        wanted = normalise(gold)
        before = r"(?<![\d.])" if wanted[:1].isdigit() else ""
        after = r"(?![\d])" if wanted[-1:].isdigit() else ""
        if wanted and re.search(before + re.escape(wanted) + after, normalised):
            return True
    return False


@dataclass
class QuestionScore:
    """One question's verdict; ``reasons`` lists every check that failed."""

    id: str
    passed: bool
    reasons: list[str] = field(default_factory=list)
    answer_ok: bool = False
    document_ok: bool = False
    quotes_ok: bool = False
    search_ok: bool = False


def score_question(
    item: dict[str, Any],
    result: dict[str, Any],
    texts: dict[str, str],
    search_sources: list[str],
) -> QuestionScore:
    """Score one /v1/chat result against a benchmark item.

    ``texts`` maps document id to the document's full extracted text; ``search_sources`` are the
    file names of the /v1/search hits, best first (only the first five count)."""
    mode = result.get("mode", "")
    citations = result.get("citations") or []
    if not item["answerable"]:
        passed = mode == "no_answer"
        return QuestionScore(item["id"], passed, [] if passed else [f"answered ({mode}) instead of no_answer"])
    score = QuestionScore(item["id"], False)
    score.answer_ok = mode not in ("no_answer", "blocked") and contains_gold(result.get("answer", ""), item["answers"])
    cited = [c["source"] for c in citations]
    score.document_ok = any(source in item["documents"] for source in cited)
    score.quotes_ok = bool(citations) and all(
        c["quote"] and c["quote"] in texts.get(c["document_id"], "") for c in citations
    )
    score.search_ok = any(source in item["documents"] for source in search_sources[:5])
    if mode == "no_answer":
        score.reasons.append("no_answer")
    elif not score.answer_ok:
        score.reasons.append("answer lacks the gold answer")
    if mode != "no_answer" and not score.document_ok:
        score.reasons.append(f"no gold document cited (cited {sorted(set(cited))})")
    if citations and not score.quotes_ok:
        score.reasons.append("a quote is not verbatim in its document")
    if not score.search_ok:
        score.reasons.append("search top-5 misses the gold document")
    score.passed = score.answer_ok and score.document_ok and score.quotes_ok
    return score
