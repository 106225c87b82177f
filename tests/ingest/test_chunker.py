import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.tokens import count_tokens
from ingest.chunker import Chunker
from ingest.parsers import parse_bytes
from ingest.parsers.base import TextBuilder
from tests.factories import make_pdf

pytestmark = pytest.mark.unit


def _document(blocks: list[tuple[str, str, int | None, tuple[str, ...]]]):  # type: ignore[no-untyped-def]
    builder = TextBuilder(10_000_000)
    for text, kind, page, path in blocks:
        builder.add(text, kind, page, path)
    return builder.build("text")


def test_chunks_are_exact_spans_within_the_token_budget() -> None:
    sentences = [f"Sentence number {i} talks about topic {i % 7} in some detail." for i in range(200)]
    document = _document([(" ".join(sentences[i : i + 10]), "paragraph", None, ()) for i in range(0, 200, 10)])
    chunks = Chunker(target_tokens=80, overlap_tokens=15).run(document)
    assert len(chunks) > 5
    for chunk in chunks:
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        assert chunk.token_count == count_tokens(chunk.text) <= 80
        assert chunk.text[0].isupper() and chunk.text.rstrip().endswith(".")  # never mid-sentence here
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_overlap_repeats_trailing_sentences() -> None:
    text = " ".join(f"Fact {i} is stated here." for i in range(60))
    chunks = Chunker(target_tokens=60, overlap_tokens=20).run(_document([(text, "paragraph", None, ())]))
    for previous, current in zip(chunks, chunks[1:]):
        assert current.char_start < previous.char_end  # overlapping spans
        first_sentence = current.text[: current.text.index(".") + 1]
        assert first_sentence in previous.text[-len(current.text) :]


def test_chinese_text_splits_at_chinese_sentence_ends() -> None:
    text = "".join(f"第{i}条规定员工每年享有带薪年假，具体天数按工龄计算。" for i in range(80))
    chunks = Chunker(target_tokens=60, overlap_tokens=0).run(_document([(text, "paragraph", None, ())]))
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.endswith("。") and chunk.token_count <= 60


def test_headings_start_new_chunks_and_carry_their_path() -> None:
    body = "Short policy text for this section. " * 16
    document = _document(
        [
            ("Leave", "heading", None, ("Leave",)),
            (body, "paragraph", None, ("Leave",)),
            ("Travel", "heading", None, ("Travel",)),
            (body, "paragraph", None, ("Travel",)),
        ]
    )
    chunks = Chunker(target_tokens=200, overlap_tokens=20).run(document)
    assert [c.heading_path for c in chunks] == [("Leave",), ("Travel",)]
    assert chunks[1].text.startswith("Travel")


def test_unbreakable_text_is_split_on_token_boundaries() -> None:
    blob = "x" * 5000 + " " + "长" * 3000
    chunks = Chunker(target_tokens=100, overlap_tokens=0).run(_document([(blob, "paragraph", None, ())]))
    assert all(c.token_count <= 100 for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == blob.replace(" ", "")


def test_pdf_chunks_span_pages() -> None:
    pages = [[f"Page {p} line {i} has a complete sentence." for i in range(30)] for p in range(1, 4)]
    document = parse_bytes(make_pdf(pages), "three.pdf")
    chunks = Chunker(target_tokens=120, overlap_tokens=0).run(document)
    for chunk in chunks:
        mentioned = {int(n) for n in re.findall(r"Page (\d+) line", chunk.text)}
        assert set(chunk.pages) == mentioned
        assert chunk.page == chunk.pages[0]
    assert {p for c in chunks for p in c.pages} == {1, 2, 3}


def test_invalid_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        Chunker(target_tokens=100, overlap_tokens=100)


_mixed_text = st.lists(
    st.one_of(
        st.text(alphabet=st.sampled_from(list("abcdefghij .,!?\n")), min_size=1, max_size=300),
        st.text(alphabet=st.sampled_from(list("知识库员工手册年假规定。！？，")), min_size=1, max_size=300),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(blocks=_mixed_text, target=st.integers(16, 200), overlap_fraction=st.floats(0, 0.9))
def test_property_every_chunk_fits_and_is_a_span(blocks: list[str], target: int, overlap_fraction: float) -> None:
    document = _document([(b, "paragraph", None, ()) for b in blocks])
    chunks = Chunker(target_tokens=target, overlap_tokens=int(target * overlap_fraction)).run(document)
    covered = set()
    for chunk in chunks:
        assert chunk.token_count <= target
        assert document.text[chunk.char_start : chunk.char_end] == chunk.text
        covered.update(range(chunk.char_start, chunk.char_end))
    # every non-space character of the document is in some chunk
    assert all(i in covered for i, ch in enumerate(document.text) if not ch.isspace())
