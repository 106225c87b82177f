"""An English question's words in Chinese for BM25: only translations the caller's chunks use, primary
senses first, at most two per word; Chinese questions and words without a used translation unchanged."""

from __future__ import annotations

import pytest

from core.providers.glossary import Glossary
from core.providers.lexical import LexicalEncoder
from retrieval.translation import QueryTranslator

pytestmark = pytest.mark.unit

ENTRIES = {
    "加密": "to encrypt; encryption",
    "密码": "password; cipher; to encrypt",
    "编码": "to code; to encode; to cipher; encrypt",
    "交通": "to be connected; traffic",
    "流量": "rate of flow; traffic",
}


@pytest.fixture(scope="module")
def lexical() -> LexicalEncoder:
    return LexicalEncoder()


def _terms(lexical: LexicalEncoder, *words: str) -> set[int]:
    return {t for w in words for t in lexical.encode_query(w).indices}


def test_translations_the_documents_use_join_the_question(lexical: LexicalEncoder) -> None:
    translator = QueryTranslator(Glossary(ENTRIES), lexical)
    question = "Is the traffic encrypted?"
    own = lexical.encode_query(question)
    used = _terms(lexical, "加密", "密码", "流量")  # the documents never say 交通 or 编码
    candidates = translator.candidate_terms(question)  # what search counts, with the question's terms
    assert set(candidates) >= used | _terms(lexical, "交通")
    expanded = translator.expand(question, own, {t: 3 for t in candidates if t in used})
    added = set(expanded.indices) - set(own.indices)
    assert added == _terms(lexical, "加密", "密码", "流量")
    weights = dict(zip(expanded.indices, expanded.values, strict=True))
    assert all(weights[t] == 1.0 for t in added)


def test_at_most_two_translations_per_word_primary_senses_first(lexical: LexicalEncoder) -> None:
    translator = QueryTranslator(Glossary(ENTRIES), lexical)
    everywhere = dict.fromkeys(translator.candidate_terms("encrypted"), 1)
    expanded = translator.expand("encrypted", lexical.encode_query("encrypted"), everywhere)
    assert set(expanded.indices) >= _terms(lexical, "加密", "密码")
    assert not set(expanded.indices) & _terms(lexical, "编码")  # its sense comes fourth


def test_chinese_questions_and_unused_translations_change_nothing(lexical: LexicalEncoder) -> None:
    translator = QueryTranslator(Glossary(ENTRIES), lexical)
    chinese = lexical.encode_query("流量是否加密？")
    assert translator.candidate_terms("流量是否加密？") == []
    assert translator.expand("流量是否加密？", chinese, dict.fromkeys(range(100_000), 1)) == chinese
    english = lexical.encode_query("Is the traffic encrypted?")
    assert translator.expand("Is the traffic encrypted?", english, {}) == english
    everywhere = dict.fromkeys(translator.candidate_terms("Is it encrypted?"), 1)
    assert translator.expand("Is it encrypted?", english, everywhere, weight=0) == english
