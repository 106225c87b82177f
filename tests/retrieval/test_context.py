from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.tokens import count_tokens
from retrieval.context import ContextAssembler, context_budget
from retrieval.search import SearchHit

pytestmark = pytest.mark.unit


def hit(
    document: str,
    index: int,
    text: str,
    start: int,
    *,
    page: int | None = None,
    neighbor_of: str | None = None,
    title: str = "Doc",
) -> SearchHit:
    return SearchHit(
        chunk_id=f"{document}-{index}",
        document_id=document,
        collection="default",
        title=title,
        source=f"{document}.pdf",
        page=page,
        pages=[page] if page else [],
        heading="",
        text=text,
        score=1.0,
        chunk_index=index,
        version=1,
        char_start=start,
        char_end=start + len(text),
        neighbor_of=neighbor_of,
    )


def test_sources_are_numbered_with_title_page_and_source_map() -> None:
    hits = [
        hit("a", 0, "Alpha text about leave.", 0, page=3, title="Handbook"),
        hit("b", 5, "Bravo text.", 100, page=7, title="Travel"),
    ]
    context = ContextAssembler().assemble(hits, 1000)
    assert (
        context.context
        == "[1] Handbook (a.pdf), p. 3\nAlpha text about leave.\n\n[2] Travel (b.pdf), p. 7\nBravo text."
    )
    assert [(s.n, s.document_id, s.page, s.chunk_ids, s.char_start, s.char_end) for s in context.sources] == [
        (1, "a", 3, ["a-0"], 0, 23),
        (2, "b", 7, ["b-5"], 100, 111),
    ]
    assert context.tokens == count_tokens(context.context)


def test_adjacent_and_overlapping_chunks_of_one_document_merge() -> None:
    full = "One two three. Four five six. Seven eight nine."
    first, second = full[:29], full[15:]  # overlap "Four five six."
    context = ContextAssembler().assemble([hit("a", 1, second, 15, page=2), hit("a", 0, first, 0, page=1)], 1000)
    assert len(context.sources) == 1
    source = context.sources[0]
    assert source.text == full and source.pages == [1, 2] and source.chunk_ids == ["a-0", "a-1"]
    assert context.context.startswith("[1] Doc (a.pdf), pp. 1-2\n")


def test_neighbours_are_dropped_before_the_hit_is_truncated() -> None:
    neighbor = hit("a", 0, "Background " * 60, 0, neighbor_of="a-1")
    anchor = hit("a", 1, "The answer is 42.", 661)
    context = ContextAssembler().assemble([anchor, neighbor], 40)
    assert context.tokens <= 40 and "The answer is 42." in context.context


def test_budget_from_a_model_window() -> None:
    assert (
        context_budget(context_window=8192, system_prompt_tokens=400, history_tokens=1000, answer_tokens=800)
        == 8192 - 400 - 1000 - 800 - 64
    )
    assert context_budget(context_window=100, answer_tokens=800) == 0
    assert ContextAssembler().assemble([hit("a", 0, "text", 0)], 0).sources == []


_words = st.sampled_from(
    ["leave", "policy", "年假", "规定", "员工", "手册", "Q3", "revenue", "。", "，", ".", "\n", " ", "🙂", "ü"]
)
_texts = st.lists(_words, min_size=1, max_size=300).map("".join)


@settings(max_examples=120, deadline=None)
@given(texts=st.lists(_texts, min_size=1, max_size=12), budget=st.integers(0, 2000), same_doc=st.booleans())
def test_property_context_never_exceeds_its_budget(texts: list[str], budget: int, same_doc: bool) -> None:
    hits, position = [], 0
    for index, text in enumerate(texts):
        document = "a" if same_doc else f"d{index}"
        hits.append(hit(document, index, text, position, page=index % 3 + 1))
        position += len(text) + 2
    context = ContextAssembler().assemble(hits, budget)
    assert count_tokens(context.context) == context.tokens <= budget
    for source in context.sources:  # every source's text appears verbatim in the context
        assert source.text in context.context
    assert [s.n for s in context.sources] == list(range(1, len(context.sources) + 1))
