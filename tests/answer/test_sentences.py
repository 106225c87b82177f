"""One mechanism finds quotes: the sources' sentences with exact document offsets. The extractive
answerer cites the sentences it quotes; the LLM citation check searches the same sentences."""

from __future__ import annotations

import pytest

from answer.citations import check_citations, quoted_citations
from answer.extractive import ExtractiveAnswerer
from answer.sentences import SentenceMatcher, source_sentences
from core.providers.lexical import LexicalEncoder
from retrieval.context import ContextAssembler
from retrieval.search import SearchHit

pytestmark = pytest.mark.unit

DOCUMENT = (
    "# Remote work\n\n"
    "- Remote workers must use the company VPN at all times.\n"
    "- Office hours are from nine to five on weekdays.\n\n"
    "Expenses must be filed within thirty days of the trip. Late expense claims are refused by finance."
)


def hit(start: int, end: int, index: int) -> SearchHit:
    return SearchHit(
        chunk_id=f"c{index}",
        document_id="doc",
        collection="default",
        title="Remote work",
        source="remote.md",
        page=None,
        pages=[],
        heading="Remote work",
        text=DOCUMENT[start:end],
        score=1.0 - index / 10,
        chunk_index=index,
        version=1,
        char_start=start,
        char_end=end,
    )


@pytest.fixture(scope="module")
def matcher() -> SentenceMatcher:
    return SentenceMatcher(LexicalEncoder())


def test_sentences_are_verbatim_spans_across_overlapping_and_separate_chunks() -> None:
    overlapping = [hit(0, 90, 0), hit(70, len(DOCUMENT), 1)]  # the VPN sentence spans both chunks
    separate = [hit(0, 60, 0), hit(75, len(DOCUMENT), 1)]  # a gap: the assembler joins with a newline
    for hits in (overlapping, separate):
        context = ContextAssembler().assemble(hits, max_tokens=1000)
        assert len(context.sources) == 1
        sentences = source_sentences(context, hits)
        for sentence in sentences:
            assert DOCUMENT[sentence.start : sentence.end] == sentence.text
            assert sentence.text in context.sources[0].text and not sentence.text.startswith(("-", " "))
            chunk = next(h for h in hits if h.chunk_id == sentence.chunk_id)
            assert chunk.char_start <= sentence.start < chunk.char_end
        assert "Late expense claims are refused by finance." in [s.text for s in sentences]
    whole = source_sentences(ContextAssembler().assemble(overlapping, 1000), overlapping)
    assert "Remote workers must use the company VPN at all times." in [s.text for s in whole]


def test_only_the_text_the_source_showed_is_quoted(matcher: SentenceMatcher) -> None:
    hits = [hit(0, len(DOCUMENT), 0)]
    context = ContextAssembler().assemble(hits, max_tokens=40)  # the source is cut before the end
    assert context.sources[0].truncated
    sentences = source_sentences(context, hits)
    assert sentences and all(s.end <= len(context.sources[0].text) for s in sentences)
    checked = check_citations("Late expense claims are refused by finance [1].", sentences, matcher)
    assert checked.citations == [] and checked.dropped == [1]  # the model never saw that sentence


def test_extractive_citations_are_the_quoted_sentences(matcher: SentenceMatcher) -> None:
    hits = [hit(0, 90, 0), hit(70, len(DOCUMENT), 1)]
    sentences = source_sentences(ContextAssembler().assemble(hits, 1000), hits)
    extract = ExtractiveAnswerer(matcher).answer("Do remote workers need the company VPN?", sentences)
    assert extract.answered and extract.quoted[0].text == "Remote workers must use the company VPN at all times."
    assert f"- {extract.quoted[0].text} [1]" in extract.text
    checked = quoted_citations(extract.text, extract.quoted)
    assert checked.text == extract.text and checked.dropped == []
    citation = checked.citations[0]
    assert (citation.quote, citation.start, citation.end) == (
        extract.quoted[0].text,
        extract.quoted[0].start,
        extract.quoted[0].end,
    )
    assert DOCUMENT[citation.start : citation.end] == citation.quote


def test_llm_claims_are_matched_against_the_same_sentences(matcher: SentenceMatcher) -> None:
    hits = [hit(0, 90, 0), hit(70, len(DOCUMENT), 1)]
    sentences = source_sentences(ContextAssembler().assemble(hits, 1000), hits)
    answer = "Remote workers must always use the company VPN [1]. Bananas are yellow [1]. Expenses: thirty days [2]."
    checked = check_citations(answer, sentences, matcher)
    assert (
        checked.text == "Remote workers must always use the company VPN [1]. Bananas are yellow. Expenses: thirty days."
    )
    assert checked.dropped == [1, 2]
    quote = checked.citations[0]
    vpn = next(s for s in sentences if "VPN" in s.text)
    assert (quote.quote, quote.start, quote.end, quote.chunk_id) == (vpn.text, vpn.start, vpn.end, vpn.chunk_id)
