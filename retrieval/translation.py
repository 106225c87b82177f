"""An English question's words in Chinese, for BM25 over Chinese documents: each content word's
CC-CEDICT translations (a sense of theirs is the word: "encrypted" → 加密), of which the ones the
caller's documents use, primary senses first, join the question's lexical terms. e5 and the sentence
encoder rank Chinese passages for an English question only roughly; a shared word is exact evidence.

Chinese terms match only Chinese text, so an English collection's ranking is unchanged. Chinese
questions are left as they are: their glosses are English words that Chinese documents also contain
("API", "token"), which would change same-language ranking."""

from __future__ import annotations

import re
from collections.abc import Mapping

from core.providers.glossary import Glossary
from core.providers.lexical import LexicalEncoder, SparseVector
from core.text import dominant_script

PER_WORD = 2  # translations kept per English word: the first senses the documents use
LOOKUP_PER_WORD = 12  # candidates looked up per word (common words have dozens)
CACHE_WORDS = 20_000
MAX_WORDS = 32  # content words of a question translated (a pasted paragraph is searched as it is)
_WORD = re.compile(r"\b[A-Za-z][a-z]+\b")  # not acronyms or names (API, GPT-5): documents keep those as they are
_STOP_WORDS = """about above after again against all also among and any are because been before being below between both but
    can cannot could did does doing done down during each either else ever every few for from further get gets got
    had has have having her here hers him his how however into its itself just least less let like made make many
    may might more most much must near need neither nor not now off once only onto other our ours out over own per
    please rather same shall she should since some such than that the their theirs them then there these they this
    those though through thus too under until upon use used uses using very want was way ways well were what
    whatever when where whether which while who whom whose why will with within without would yes yet you your
    yours"""
_STOP = frozenset(_STOP_WORDS.split())


class QueryTranslator:
    def __init__(self, glossary: Glossary, lexical: LexicalEncoder) -> None:
        self.glossary, self.lexical = glossary, lexical
        self._cache: dict[str, list[tuple[int, list[int]]]] = {}  # word -> candidates: static, so kept

    def candidate_terms(self, query: str) -> list[int]:
        """Every BM25 term a translation of the question may add: what to count before ``expand``."""
        return sorted({t for candidates in self._per_word(query) for _, terms in candidates for t in terms})

    def expand(
        self, query: str, sparse: SparseVector, containing: Mapping[int, int], weight: float = 1.0
    ) -> SparseVector:
        """``sparse`` (the question's own terms) with the translations the documents use, each term at
        ``weight`` (before IDF); ``containing`` counts the caller's chunks holding each term of
        ``candidate_terms`` (a term it leaves out is in none)."""
        if weight <= 0:
            return sparse
        added: dict[int, float] = {}
        for candidates in self._per_word(query):
            used = [(position, -min(containing.get(t, 0) for t in terms), terms) for position, terms in candidates]
            used = [u for u in used if u[1] < 0]  # every term of it in some chunk the caller can read
            for _, _, terms in sorted(used)[:PER_WORD]:
                added.update(dict.fromkeys(terms, weight))
        if not added:
            return sparse
        own = dict(zip(sparse.indices, sparse.values, strict=True))
        for term, value in added.items():
            own[term] = max(own.get(term, 0.0), value)
        return SparseVector(list(own), list(own.values()))

    def _per_word(self, query: str) -> list[list[tuple[int, list[int]]]]:
        """Each content word's candidate translations; none for a question not in English."""
        if dominant_script(query) != "latn" or not self.glossary.available:
            return []
        return [c for c in (self._candidates(word) for word in self._content_words(query)) if c]

    def _content_words(self, query: str) -> list[str]:
        words = [w.lower() for w in _WORD.findall(query)]
        return list(dict.fromkeys(w for w in words if len(w) > 2 and w not in _STOP))[:MAX_WORDS]

    def _candidates(self, word: str) -> list[tuple[int, list[int]]]:
        """(sense position, the BM25 terms of a Chinese translation) for the word and its base forms."""
        cached = self._cache.get(word)
        if cached is None:
            cached = self._look_up(word)
            if len(self._cache) >= CACHE_WORDS:
                self._cache.clear()
            self._cache[word] = cached
        return cached

    def _look_up(self, word: str) -> list[tuple[int, list[int]]]:
        found: dict[str, int] = {}
        for form in _forms(word):
            for position, chinese in self.glossary.chinese(form)[:LOOKUP_PER_WORD]:
                found.setdefault(chinese, position)
        result = []
        for chinese, position in found.items():
            terms = list(self.lexical.encode_query(chinese).indices)
            if terms:
                result.append((position, terms))
        return result


def _forms(word: str) -> list[str]:
    """The word and the base forms it may be an inflection of (tokens → token, encrypted → encrypt)."""
    forms = [word]
    for suffix, replacement in (
        ("ies", "y"),
        ("es", ""),
        ("s", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + replacement)
    return list(dict.fromkeys(forms))
