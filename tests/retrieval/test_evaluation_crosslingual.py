"""Cross-lingual and partial-corpus evaluation sets."""

from __future__ import annotations

import pytest

from retrieval.evaluation import Dataset, cross_lingual, restrict_to

pytestmark = pytest.mark.unit


def _parallel(language: str) -> Dataset:
    return Dataset(
        name=f"xquad_{language}",
        corpus=[{"id": "p1", "title": "", "text": f"passage 1 {language}"}, {"id": "p2", "title": "", "text": "2"}],
        queries=[{"id": "q1", "text": f"question 1 {language}"}, {"id": "q2", "text": f"question 2 {language}"}],
        qrels={"q1": {"p1": 1}, "q2": {"p2": 1}},
        answers={"q1": [f"answer {language}"], "q2": [f"other {language}"]},
    )


def test_cross_lingual_asks_one_side_against_the_other() -> None:
    mixed = cross_lingual(_parallel("en"), _parallel("zh"))
    assert mixed.name == "xquad_zh"  # the collection is the passages' set
    assert [p["text"] for p in mixed.corpus][0] == "passage 1 zh"
    assert [q["text"] for q in mixed.queries][0] == "question 1 en"
    assert mixed.qrels == {"q1": {"p1": 1}, "q2": {"p2": 1}}
    assert mixed.answers["q1"] == ["answer zh"]  # gold answers in the passages' language


def test_restrict_to_keeps_questions_whose_passages_were_ingested() -> None:
    kept = restrict_to(_parallel("en"), {"p1"})
    assert [q["id"] for q in kept.queries] == ["q1"]
    assert restrict_to(_parallel("en"), set()).queries == []
