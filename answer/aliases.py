"""Short forms of an English question's phrases that documents use instead of the phrase: the
acronym ("tokens-per-minute" → TPM, "text-to-speech" → tts-1, "requests per day" → RPD) and the
compound written as one word ("real-time" → Realtime). A sentence holding the short form holds the
phrase's words; the tokenizer alone sees no shared term between them."""

from __future__ import annotations

import re

from answer.sentences import SentenceMatcher
from core.text import ENGLISH_FUNCTION_WORDS

_WORD = re.compile(r"[A-Za-z]+")
_COMPOUND = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")
# written as an acronym: in capitals (TPM, RPD), or a model name's stem before its version (tts-1)
_ACRONYM = re.compile(r"(?<![A-Za-z])(?:[A-Z]{3,5}|[a-z]{3,5}(?=-\d))(?![A-Za-z])")
MIN_ACRONYM, MAX_ACRONYM = 3, 5  # two letters would match too much by chance ("is it" → IT)
# a longer word starting with a question word's stem is a compound or derivation of it: "changes" →
# Changelog, "tokens" → Tokenizer. Shorter stems start too many unrelated words ("data" → database).
MIN_STEM = 5
MIN_SUFFIX = 3  # "changes" is the word itself, "changelog" a compound
_PREFIX = "*"  # marks an alias key that is a stem a word of the text starts with
_ENDINGS = ("ies", "es", "s", "ing", "ed")


def phrase_aliases(question: str, matcher: SentenceMatcher) -> dict[str, frozenset[int]]:
    """Short form (a compound in lower case, an acronym in capitals) → the terms of the question's
    phrase it stands for."""
    aliases: dict[str, frozenset[int]] = {}
    for compound in _COMPOUND.findall(question):
        _add(aliases, compound.replace("-", "").lower(), compound, matcher)
    words = _WORD.findall(question.replace("-", " "))
    for word in words:
        stem = _stem(word.lower())
        if len(stem) >= MIN_STEM and word.lower() not in ENGLISH_FUNCTION_WORDS:
            terms = matcher.terms(word)
            if terms:
                aliases.setdefault(_PREFIX + stem, terms)
    for size in range(MIN_ACRONYM, MAX_ACRONYM + 1):
        for start in range(len(words) - size + 1):
            run = words[start : start + size]
            # the phrase starts and ends with a word of its own ("requests per day", not "is the price")
            if run[0].lower() not in ENGLISH_FUNCTION_WORDS and run[-1].lower() not in ENGLISH_FUNCTION_WORDS:
                _add(aliases, "".join(w[0] for w in run).upper(), " ".join(run), matcher)
    return aliases


def _add(aliases: dict[str, frozenset[int]], short: str, phrase: str, matcher: SentenceMatcher) -> None:
    terms = matcher.terms(phrase)
    if len(terms) >= 2 and short not in aliases:  # the phrase must say more than its short form
        aliases[short] = terms


def _stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def with_aliases(text: str, terms: frozenset[int], aliases: dict[str, frozenset[int]]) -> frozenset[int]:
    """``terms`` and the words of every question phrase whose short form ``text`` uses, and of every
    question word a longer word of ``text`` starts with."""
    if not aliases:
        return terms
    words = {w.lower() for w in _WORD.findall(text)}
    short = words | {a.upper() for a in _ACRONYM.findall(text)}
    found = [aliases[form] for form in short if form in aliases]
    found += [
        wanted
        for key, wanted in aliases.items()
        if key.startswith(_PREFIX) and any(len(w) >= len(key) - 1 + MIN_SUFFIX and w.startswith(key[1:]) for w in words)
    ]
    return terms.union(*found) if found else terms
