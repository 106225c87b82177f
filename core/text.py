"""Text helpers shared by ingestion and answering: sentence spans for Chinese and English."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?;])[\"'”’)\]]*\s+|(?<=[。！？；…])[”’」』）]*\s*|\n+")
_NUMBERING_DOT = re.compile(r"[ \t]*(?:#{1,6}[ \t]*)?\d{1,3}(?:\.\d{1,3})*\.")
_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence in ``text[start:end]``, trailing spaces excluded.
    Ends at . ! ? ; and the Chinese 。！？；… (closing quotes stay with their sentence) and at newlines."""
    end = len(text) if end is None else end
    spans = []
    position = start
    for match in _SENTENCE_END.finditer(text, start, end):
        line_start = text.rfind("\n", 0, match.start()) + 1
        if _NUMBERING_DOT.fullmatch(text, line_start, match.start()):
            continue  # "3. Pricing", "### 2.1. Limits": the dot of a list or heading number ends nothing
        if match.end() > position:
            stop = match.start() if text[match.start() : match.end()].isspace() else match.end()
            stop = len(text[position:stop].rstrip()) + position
            if stop > position:
                spans.append((position, stop))
            position = match.end()
    if position < end and text[position:end].strip():
        spans.append((position, len(text[position:end].rstrip()) + position))
    return spans


# English words that only ask or link ("what is the …", "… per …"): no name, no phrase of their own
ENGLISH_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "per",
        "with",
        "by",
        "from",
        "is",
        "are",
        "was",
        "be",
        "do",
        "does",
        "did",
        "can",
        "i",
        "we",
        "you",
        "it",
        "my",
        "our",
        "your",
        "its",
        "this",
        "that",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
    ]
)


_HAN = re.compile(r"[\u4e00-\u9fff]")


def has_chinese(text: str) -> bool:
    """Any Chinese character at all (a Latin name kept inside Chinese text, "使用Grafana可视化")."""
    return bool(_HAN.search(text))


def is_chinese(text: str) -> bool:
    """Mostly Chinese: decides the language of fixed phrases in answers."""
    cjk = len(_CJK_CHAR.findall(text))
    letters = sum(ch.isalpha() for ch in text)
    return cjk > 0 and cjk >= 0.3 * max(letters, 1)


# Writing systems by ISO 15924 code. What separates languages for retrieval is the script: BM25 has
# no term in common across scripts and e5-small ranks same-script passages first, while languages
# sharing a script (English, French) still meet on names, numbers and cognates.
_SCRIPTS = {
    "hani": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]"),
    "kana": re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]"),
    "hang": re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
    "latn": re.compile(r"[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]"),
    "cyrl": re.compile(r"[\u0400-\u052f]"),
    "grek": re.compile(r"[\u0370-\u03ff\u1f00-\u1fff]"),
    "arab": re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]"),
    "hebr": re.compile(r"[\u0590-\u05ff]"),
    "thai": re.compile(r"[\u0e00-\u0e7f]"),
    "deva": re.compile(r"[\u0900-\u097f]"),
}
# Japanese prose is held together by hiragana (particles, verb endings); Chinese text quoting Japanese
# names carries katakana but next to no hiragana (CMRC passages on anime: 0-2 %, Japanese: 14-64 %).
_HIRAGANA = re.compile(r"[\u3040-\u309f]")
# A Han character, kana or Hangul syllable carries about as much as three Latin letters (a Chinese
# word averages ~1.6 characters, an English one ~4.7 letters), so "什么是 photosynthesis" is Chinese.
_SYLLABIC_WEIGHT = 3.0
UNDETERMINED_SCRIPT = "zyyy"  # ISO 15924 "common": digits, punctuation, symbols only
SCRIPTS = ("hani", "jpan", "kore", "latn", "cyrl", "grek", "arab", "hebr", "thai", "deva")


def han_share(text: str, sample: int = 4000) -> float:
    """The share of ``text``'s letters that are Chinese characters, each weighing as much as
    ``_SYLLABIC_WEIGHT`` Latin letters."""
    text = text[:sample]
    han = len(_CJK_CHAR.findall(text)) * _SYLLABIC_WEIGHT
    other = sum(ch.isalpha() for ch in text) - han / _SYLLABIC_WEIGHT
    return han / (han + other) if han + other > 0 else 0.0


def dominant_script(text: str, sample: int = 4000) -> str:
    """The writing system most of ``text`` is in, by ISO 15924 code: ``hani`` (Chinese), ``jpan``
    (Japanese: Han with kana, hiragana among them), ``kore`` (Hangul), ``latn``, ``cyrl``, ``grek``,
    ``arab``, ``hebr``, ``thai``, ``deva``; ``zyyy`` when it has no letters. Only the first ``sample``
    characters count."""
    text = text[:sample]
    counts = {name: len(pattern.findall(text)) for name, pattern in _SCRIPTS.items()}
    han, kana, hangul = counts.pop("hani"), counts.pop("kana"), counts.pop("hang")
    hiragana = len(_HIRAGANA.findall(text))
    if kana and kana >= 0.1 * (han + kana) and (hiragana >= 0.05 * (han + kana) or kana > han):
        counts["jpan"] = han + kana
    elif hangul and hangul >= han:
        counts["kore"] = hangul + han
    else:
        counts["hani"] = han + kana + hangul
    weighted = {name: n * (_SYLLABIC_WEIGHT if name in ("hani", "jpan", "kore") else 1.0) for name, n in counts.items()}
    best = max(weighted, key=lambda name: weighted[name])
    return best if weighted[best] > 0 else UNDETERMINED_SCRIPT
