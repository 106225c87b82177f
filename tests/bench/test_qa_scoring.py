"""The articles QA benchmark's scoring: answer normalisation and per-question verdicts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.articles_qa import QUESTIONS
from bench.qa_scoring import chinese_numeral_value, contains_gold, normalise, score_question

pytestmark = pytest.mark.unit

DOC_TEXT = "A: OpenAI API不是完全免费的,但新用户有5美元的免费额度。"


def item(answerable: bool = True, answers: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": "q1",
        "lang": "zh",
        "question": "新用户有多少免费额度？",
        "answerable": answerable,
        "answers": ["5美元"] if answers is None else answers,
        "documents": ["001.txt"] if answerable else [],
    }


def result(mode: str = "extractive", answer: str = "- " + DOC_TEXT + " [1]", quote: str = DOC_TEXT) -> dict[str, Any]:
    citations = [{"document_id": "d1", "source": "001.txt", "quote": quote}] if mode == "extractive" else []
    return {"mode": mode, "answer": answer, "citations": citations}


@pytest.mark.parametrize(
    ("run", "value"),
    [
        ("十五", 15),
        ("十", 10),
        ("二十", 20),
        ("一百零五", 105),
        ("两千", 2000),
        ("三万五千", 35000),
        ("二〇二五", 2025),
    ],
)
def test_chinese_numerals_have_their_value(run: str, value: int) -> None:
    assert chinese_numeral_value(run) == value


def test_a_lone_unit_character_is_a_word_not_a_number() -> None:
    assert chinese_numeral_value("万") is None
    assert normalise("万能") == "万能"


@pytest.mark.parametrize(
    ("answer", "gold"),
    [
        ("每月费用为 **20 美元**", "20美元"),
        ("costs $20 a month", "20 美元"),
        ("每月二十美元", "$20"),
        ("2.50 美元", "$2.50"),
        ("20 dollars", "20美元"),
        ("ＧＰＴ－４ｏ", "gpt-4o"),
        ("每分钟 30,000 tokens", "30000"),
        ("1～3秒", "1-3秒"),
        ("最少需要十个训练样本", "10个"),
        ("GPT-5$1.25$10最强推理", "$1.25"),  # a table run together: the "$" starts the number
    ],
)
def test_gold_matches_across_width_case_spacing_numerals_and_currency(answer: str, gold: str) -> None:
    assert contains_gold(answer, [gold])


@pytest.mark.parametrize(
    ("answer", "gold"),
    [
        ("建议100+样本获得更好效果", "10个"),
        ("$25", "$2.5"),
        ("每月费用为 120 美元", "$20"),
        ("共 1000 次", "100"),
        ("10.75美元", "0.75美元"),
    ],
)
def test_a_number_matches_only_whole(answer: str, gold: str) -> None:
    assert not contains_gold(answer, [gold])


def test_a_correct_cited_verbatim_answer_passes() -> None:
    score = score_question(item(), result(), {"d1": "前文。" + DOC_TEXT}, ["001.txt"])
    assert score.passed and score.reasons == []
    assert score.answer_ok and score.document_ok and score.quotes_ok and score.search_ok


def test_every_failed_check_is_a_reason() -> None:
    wrong = result(answer="- 其他内容 [1]", quote="不在文档里的句子")
    wrong["citations"][0]["source"] = "002.txt"
    score = score_question(item(), wrong, {"d1": DOC_TEXT}, ["002.txt"] * 5 + ["001.txt"])
    assert not score.passed
    assert score.reasons == [
        "answer lacks the gold answer",
        "no gold document cited (cited ['002.txt'])",
        "a quote is not verbatim in its document",
        "search top-5 misses the gold document",
    ]


def test_no_answer_fails_an_answerable_question_and_passes_an_unanswerable_one() -> None:
    declined = result(mode="no_answer", answer="在您有权访问的文档中没有找到与此相关的内容。")
    assert score_question(item(), declined, {}, ["001.txt"]).reasons == ["no_answer"]
    assert score_question(item(answerable=False), declined, {}, []).passed
    answered = score_question(item(answerable=False), result(), {"d1": DOC_TEXT}, [])
    assert not answered.passed and answered.reasons == ["answered (extractive) instead of no_answer"]


def test_an_answer_without_citations_is_not_verified() -> None:
    bare = {"mode": "extractive", "answer": "5美元", "citations": []}
    score = score_question(item(), bare, {}, ["001.txt"])
    assert score.answer_ok and not score.quotes_ok and not score.passed


def test_the_question_set_is_well_formed() -> None:
    items = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    assert len({i["id"] for i in items}) == len(items)
    answerable = [i for i in items if i["answerable"]]
    assert {i["lang"] for i in answerable} == {"zh", "en"} and len(answerable) == 30
    assert all(i["answers"] and i["documents"] for i in answerable)
    assert sum(not i["answerable"] for i in items) == 8
