"""The pieces of the Responses mapping without a server: marker stripping and its offsets (also
when a marker arrives split across streamed pieces), keeping only verified markers, score
normalisation and request validation (attribute filters: tests/retrieval/test_attribute_filters.py)."""

from __future__ import annotations

import pytest

from answer.markers import Marker, MarkerStripper, strip_markers, verified_markers
from answer.responses.request import parse_request
from core.errors import BadRequest
from retrieval.scope import SearchScope, normalized_score
from retrieval.search import SearchHit, SearchOptions

pytestmark = pytest.mark.unit

ANSWER = "Leave is 15 days [1]. Up to 5 carry over [2, 3]. 年假十五天【1】。Prices in [brackets] stay [12345]."


def test_markers_are_removed_with_their_spaces_and_remembered_at_their_offset() -> None:
    text, markers = strip_markers(ANSWER)
    assert text == "Leave is 15 days. Up to 5 carry over. 年假十五天。Prices in [brackets] stay [12345]."
    assert markers == [Marker(16, (1,)), Marker(36, (2, 3)), Marker(43, (1,))]
    assert [text[m.offset] for m in markers] == [".", ".", "。"]


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_streamed_pieces_give_the_same_text_and_offsets(size: int) -> None:
    stripper = MarkerStripper()
    released = "".join(stripper.feed(ANSWER[i : i + size]) for i in range(0, len(ANSWER), size)) + stripper.flush()
    assert (released, stripper.markers) == strip_markers(ANSWER)
    assert stripper.text == released


def test_an_unclosed_bracket_is_released_once_it_cannot_be_a_marker() -> None:
    stripper = MarkerStripper()
    assert stripper.feed("see [") == "see"
    assert stripper.feed("a] and [1") == " [a] and"
    assert stripper.flush() == " [1"  # never closed: text, not a citation
    assert stripper.markers == []


def test_only_the_markers_the_check_kept_at_that_place_are_verified() -> None:
    stripper = MarkerStripper()
    stripper.feed("A holds [1]. B holds [1][2]. C holds [3].")
    stripper.flush()
    # The check removed the first [1] (A is not in source 1), kept [2] after B, and [3]; it also
    # dropped the space before the full stop where a marker vanished.
    checked = "A holds. B holds [2]. C holds [3]."
    assert verified_markers(stripper, checked) == [Marker(16, (2,)), Marker(25, (3,))]
    assert stripper.text == "A holds. B holds. C holds."


def hit(chunk_id: str, score: float, attributes: dict | None = None, neighbor_of: str | None = None) -> SearchHit:
    return SearchHit(
        chunk_id=chunk_id,
        document_id="d",
        collection="c",
        title="t",
        source="s",
        page=None,
        pages=[],
        heading="",
        text=chunk_id,
        score=score,
        chunk_index=0,
        version=1,
        char_start=0,
        char_end=0,
        neighbor_of=neighbor_of,
        attributes=attributes,
    )


def test_a_scope_keeps_hits_above_the_floor_with_their_neighbours() -> None:
    hits = [
        hit("b", 1.6, {"team": "sales"}),
        hit("b+1", 1.6, None, neighbor_of="b"),
        hit("c", 1.4, {"team": "sales"}),
        hit("d", 0.2, {"team": "sales"}),
        hit("e", 1.2, {"team": "sales"}),
    ]
    scope = SearchScope(collection_ids=("x",), max_results=2, score_threshold=0.5)
    assert scope.top_k(12) == 2  # attribute filters apply inside the query: no over-fetch
    assert scope.options(SearchOptions(fusion="dbsf"), 12).fusion == "dbsf"
    weighted = SearchScope(collection_ids=("x",), weights=(0.7, 0.3)).options(SearchOptions(fusion="dbsf"), 12)
    assert (weighted.fusion, weighted.weights, weighted.top_k) == ("rrf", (0.7, 0.3), 12)
    kept = scope.narrow(hits, SearchOptions(fusion="dbsf"), 12)
    assert [h.chunk_id for h in kept] == ["b", "b+1", "c"]
    assert [h.chunk_id for h in SearchScope(collection_ids=("x",)).narrow(hits, SearchOptions(), 3)] == [
        "b",
        "b+1",
        "c",
        "d",
    ]


def test_fused_scores_are_normalised_to_one() -> None:
    dbsf = SearchOptions(fusion="dbsf")
    assert normalized_score(2.0, dbsf) == 1.0 and normalized_score(0.5, dbsf) == 0.25
    rrf = SearchOptions(fusion="rrf", weights=(1.0, 1.0))
    assert normalized_score(2 / 61, rrf) == pytest.approx(1.0)
    assert normalized_score(-3.0, SearchOptions(rerank=True)) == 0.0


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"input": "x", "tools": [{"type": "code_interpreter"}]}, "code_interpreter"),
        ({"input": "x", "seed": 1}, "Unknown parameter: 'seed'"),
        ({"input": "x", "tool_choice": "none"}, "tool_choice"),
        ({"input": "x", "text": {"format": {"type": "json_object"}}}, "text.format"),
        ({"input": [{"type": "function_call_output", "call_id": "c", "output": "1"}]}, "function_call_output"),
        (
            {"input": "x", "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"], "max_num_results": 51}]},
            "max_num_results",
        ),
        (
            {
                "input": "x",
                "tools": [
                    {"type": "file_search", "vector_store_ids": ["vs_1"], "ranking_options": {"score_threshold": 2}}
                ],
            },
            "score_threshold",
        ),
        (
            {
                "input": "x",
                "tools": [
                    {
                        "type": "file_search",
                        "vector_store_ids": ["vs_1"],
                        "filters": {"type": "like", "key": "a", "value": 1},
                    }
                ],
            },
            "filters",
        ),
    ],
)
def test_invalid_requests_are_400_naming_the_parameter(body: dict, says: str) -> None:
    with pytest.raises(BadRequest) as refused:
        parse_request(body)
    assert refused.value.status_code == 400 and says in refused.value.message


def test_refusals_name_what_knowbase_does_not_serve() -> None:
    with pytest.raises(BadRequest, match="JSON object"):
        parse_request(["x"])
    with pytest.raises(BadRequest, match="at most one"):
        parse_request({"input": "x", "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}] * 2})
    with pytest.raises(BadRequest, match="background"):
        parse_request({"input": "x", "background": True})
    assert parse_request({"input": "x", "background": False, "tool_choice": {"type": "file_search"}}).input == "x"


def test_deeply_nested_filters_are_refused() -> None:
    deep: dict = {"type": "eq", "key": "a", "value": 1}
    for _ in range(6):
        deep = {"type": "and", "filters": [deep]}
    with pytest.raises(BadRequest) as refused:
        parse_request({"input": "x", "tools": [{"type": "file_search", "vector_store_ids": ["vs_1"], "filters": deep}]})
    assert "nested" in refused.value.message
