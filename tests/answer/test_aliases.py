"""An English question's phrase and the short form a document writes instead: the acronym (TPM,
tts-1) and the compound as one word (Realtime)."""

from __future__ import annotations

import pytest

from answer.aliases import phrase_aliases, with_aliases
from answer.extractive import ExtractiveAnswerer
from answer.sentences import SentenceMatcher
from core.providers.lexical import LexicalEncoder
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def matcher() -> SentenceMatcher:
    return SentenceMatcher(LexicalEncoder())


def test_acronyms_and_joined_compounds_stand_for_the_question_phrase(matcher: SentenceMatcher) -> None:
    aliases = phrase_aliases("What's the tokens-per-minute cap, and is there a real-time API?", matcher)
    tokens_per_minute = matcher.terms("tokens per minute")
    assert with_aliases("TPM: 90,000", frozenset(), aliases) == tokens_per_minute
    assert with_aliases("the Realtime API", frozenset(), aliases) >= matcher.terms("real time")
    speech = phrase_aliases("How many voices does the text-to-speech model offer?", matcher)
    assert with_aliases("tts-1: 6 voices", frozenset(), speech) >= matcher.terms("text speech")


def test_short_words_that_merely_spell_initials_are_no_acronyms(matcher: SentenceMatcher) -> None:
    # "cost per user" spells CPU, but a lower-case "cpu" word is no acronym; the phrase must start and
    # end with words of its own ("is the price" is no phrase), and a run's short form must be capitals
    aliases = phrase_aliases("What is the cost per user for the Team plan?", matcher)
    assert with_aliases("the cpu is fast", frozenset(), aliases) == frozenset()
    assert "ITP" not in aliases and "CPU" in aliases


def test_the_table_row_named_by_the_acronym_answers(matcher: SentenceMatcher) -> None:
    text = "Rate limits\n\n- Requests per minute (RPM): 3500 for GPT-3.5-Turbo\n- TPM: 90,000 for GPT-3.5-Turbo\n"
    answerer = ExtractiveAnswerer(matcher)
    extract = answerer.answer("What is the tokens-per-minute limit for GPT-3.5-Turbo?", sentences(text))
    assert extract.answered and "90,000" in extract.text and "3500" not in extract.text


def test_a_longer_word_starting_with_a_question_words_stem_holds_it(matcher: SentenceMatcher) -> None:
    aliases = phrase_aliases("Where should we watch for API changes, and how is text split into tokens?", matcher)
    assert with_aliases("关注官方Changelog(https://platform.openai.com/docs/changelog)", frozenset(), aliases) >= (
        matcher.terms("changes")
    )
    assert with_aliases("OpenAI 的 Tokenizer 工具", frozenset(), aliases) >= matcher.terms("tokens")
    # the word itself is no compound of it, and short stems ("split" → "splitter" is fine, "text" is not)
    assert with_aliases("the changed text", frozenset(), aliases) == frozenset()
    assert with_aliases("a textbook", frozenset(), aliases) == frozenset()
