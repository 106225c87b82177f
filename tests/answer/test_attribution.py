"""Claims an LLM left uncited get their citation from the server — the same fact check as for
markers — or are reported as unsupported; sentences that state no checkable fact are left alone."""

from __future__ import annotations

import pytest

from answer.attribution import attribute
from answer.citations import MARKER, check_citations
from answer.facts import missing_facts
from answer.sentences import Sentence, SentenceMatcher
from core.providers.lexical import LexicalEncoder
from tests.answer.test_extractive import HANDBOOK, PRICING, sentences

pytestmark = pytest.mark.unit

LEAVE = (
    "# Leave policy\n\n"
    "Employees receive 15 days of paid annual leave each year.\n"
    "Unused leave expires on 31 March of the following year.\n"
    "Requests for leave go to the employee's manager in Workday.\n"
)


@pytest.fixture(scope="module")
def matcher() -> SentenceMatcher:
    return SentenceMatcher(LexicalEncoder())


@pytest.fixture(scope="module")
def quotes() -> list[Sentence]:
    return sentences(PRICING, LEAVE, HANDBOOK)  # sources [1] [2] [3]


def checked(answer: str, quotes: list[Sentence], matcher: SentenceMatcher):  # type: ignore[no-untyped-def]
    return attribute(check_citations(answer, quotes, matcher), quotes, matcher)


def test_uncited_claims_get_the_source_that_states_their_facts(
    quotes: list[Sentence], matcher: SentenceMatcher
) -> None:
    answer = "Employees receive 15 days of paid annual leave. GPT-4o costs $2.50 per million input tokens."
    result = checked(answer, quotes, matcher)
    assert result.text == (
        "Employees receive 15 days of paid annual leave [2]. GPT-4o costs $2.50 per million input tokens [1]."
    )
    assert [(c.n, c.attributed) for c in result.citations] == [(1, True), (2, True)]
    assert "$2.50" in result.citations[0].quote and "15 days" in result.citations[1].quote
    assert result.unsupported == [] and result.dropped == []


def test_a_verified_marker_keeps_its_citation_and_only_the_uncited_claim_is_attributed(
    quotes: list[Sentence], matcher: SentenceMatcher
) -> None:
    answer = "Unused leave expires on 31 March [2]. Requests go to the manager in Workday."
    result = checked(answer, quotes, matcher)
    assert result.text == "Unused leave expires on 31 March [2]. Requests go to the manager in Workday [2]."
    assert len(result.citations) == 1 and not result.citations[0].attributed  # the model's own, verified
    assert "31 March" in result.citations[0].quote


def test_a_claim_no_source_states_is_unsupported_not_cited(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    answer = "Employees receive 20 days of paid annual leave. 员工每年享有十五天带薪年假。"
    result = checked(answer, quotes, matcher)
    assert result.unsupported == ["Employees receive 20 days of paid annual leave."]
    assert result.text == "Employees receive 20 days of paid annual leave. 员工每年享有十五天带薪年假[3]。"
    assert [(c.n, c.attributed) for c in result.citations] == [(3, True)]


def test_a_dropped_marker_leaves_its_claim_to_attribution(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    # [1] does not state the leave facts: the marker is dropped, and the server finds source [2].
    result = checked("Employees receive 15 days of paid annual leave [1].", quotes, matcher)
    assert result.dropped == [1]
    assert result.text == "Employees receive 15 days of paid annual leave [2]."
    assert [(c.n, c.attributed) for c in result.citations] == [(2, True)]


def test_sentences_that_state_no_fact_are_neither_cited_nor_unsupported(
    quotes: list[Sentence], matcher: SentenceMatcher
) -> None:
    answer = (
        "## Answer\n"
        "Here is what the handbook says:\n"
        "1. Unused leave expires on 31 March.\n"
        "The documents do not mention Bananafish.\n"
        "The sources don't say what Workday costs in 2025.\n"
        "I couldn't find the Q3 budget in the documents.\n"
        "I hope this helps you plan your time."
    )
    result = checked(answer, quotes, matcher)
    assert result.unsupported == []
    assert result.text == answer.replace("31 March.", "31 March [2].")
    assert "```" not in result.text


def test_fact_free_claims_need_a_close_lexical_match(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    close = checked("Whisper transcribes and translates audio in many languages.", quotes, matcher)
    assert close.text.endswith("languages [1].") and close.citations[0].attributed
    loose = checked("The company cares about its employees and their time.", quotes, matcher)
    assert loose.citations == [] and loose.unsupported == [] and "[" not in loose.text


def test_code_blocks_and_table_rows_are_handled(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    answer = "```\nprice = 2.50 # GPT-4o per million\n```\n| gpt-4o | 800,000 tokens |"
    result = checked(answer, quotes, matcher)
    assert result.text.startswith("```\nprice = 2.50 # GPT-4o per million\n```\n")  # code is not touched
    assert result.text.endswith("| gpt-4o | 800,000 tokens [1] |")  # the marker stays inside the row


def test_every_inserted_marker_names_a_citation_whose_quote_states_the_claim(
    quotes: list[Sentence], matcher: SentenceMatcher
) -> None:
    answer = (
        "GPT-4o costs $2.50 per million input tokens and $10 per million output tokens. "
        "Unused leave expires on 31 March of the following year. 差旅费用须在三十天内提交报销申请。"
    )
    result = checked(answer, quotes, matcher)
    by_n = {c.n: c for c in result.citations}
    claims = [m for m in MARKER.finditer(result.text)]
    assert len(claims) == 3
    for marker in claims:
        citation = by_n[int(marker.group(1))]
        claim = MARKER.sub("", result.text[: marker.start()]).rsplit(". ", 1)[-1].rsplit("。", 1)[-1]
        assert missing_facts(claim, citation.quote) == [], (claim, citation.quote)


def test_a_table_header_names_nobody(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    result = checked("| Days | Carry Over |\n|---|---|\n| 15 | 5 |", quotes, matcher)
    assert result.unsupported == [] and result.citations == []


def test_naming_the_document_is_not_an_unsupported_fact(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    # The test sources are titled "doc 0", "doc 1", …; the LEAVE document's heading is "Leave policy".
    result = checked("According to Doc 1, employees receive 15 days of paid annual leave.", quotes, matcher)
    assert result.unsupported == [] and result.text.endswith("annual leave [2].")
    assert "Doc 1" not in result.citations[0].quote


def test_a_repeated_unsupported_claim_is_listed_once(quotes: list[Sentence], matcher: SentenceMatcher) -> None:
    claim = "Passwords for Workday change every 45 days."
    result = checked(f"1. {claim}\n2. {claim}", quotes, matcher)
    assert result.unsupported == [claim]
