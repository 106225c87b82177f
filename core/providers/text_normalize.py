"""Undo cheap evasions before moderation judges a text.

Full-width and other compatibility forms (NFKC), zero-width and control characters, separators
put between Chinese characters (``我要 杀 了 他``, ``我-要-杀``), spaced-out letters (``k i l l``)
and common leetspeak (``k1ll``, ``h4te``, ``5uicide``). The result is only ever judged, never shown.
"""

from __future__ import annotations

import re
import unicodedata

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_SEPARATED = re.compile(rf"(?<=[{_CJK}])[\s\-_.*·•/\\|~+=,'\"`^]+(?=[{_CJK}])")
_SPACED_LETTERS = re.compile(r"(?<![A-Za-z])(?:[A-Za-z][ .\-_*]){2,}[A-Za-z](?![A-Za-z])")
_TOKEN = re.compile(r"[A-Za-z0-9@$!|]+")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i", "|": "l"}
)
_LEET_CHARS = frozenset("013457@$!|")
_WHITESPACE = re.compile(r"\s+")


def _is_invisible(char: str) -> bool:
    if char in "\n\t ":
        return False
    # Cf: format characters (zero-width space/joiners, BOM, soft hyphen); Cc: control characters.
    return unicodedata.category(char) in ("Cf", "Cc")


def _unleet(match: re.Match[str]) -> str:
    token = match.group()
    word = token.rstrip("0123456789")  # "user01", "Hello123": a number suffix, not a stand-in
    letters = sum(ch.isalpha() for ch in word)
    leet = sum(ch in _LEET_CHARS for ch in word)
    # A word with letters and a few stand-ins ("k1ll", "5uicide"), not a number or a version tag.
    if letters >= 2 and 0 < leet <= letters and len(word) >= 3:
        return word.lower().translate(_LEET) + token[len(word) :]
    return token


def normalize_for_moderation(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if ch in "\r\x0b\x0c" else ch for ch in text if not _is_invisible(ch))
    text = _CJK_SEPARATED.sub("", text)
    text = _SPACED_LETTERS.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group()), text)
    text = _TOKEN.sub(_unleet, text)
    return _WHITESPACE.sub(" ", text).strip()
