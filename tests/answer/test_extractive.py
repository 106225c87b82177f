"""The extractive answerer quotes the sentence that answers, typed by the question, never padded,
and says ``no_answer`` in the question's language when nothing answers."""

from __future__ import annotations

import pytest

from answer.extractive import ExtractiveAnswerer
from answer.kinds import question_type
from answer.prompts import NO_ANSWER
from answer.sentences import Sentence, source_sentences
from retrieval.context import ContextAssembler
from retrieval.search import SearchHit

pytestmark = pytest.mark.unit

PRICING = (
    "# Models\n\n"
    "The GPT-4o model is our flagship model for text and images.\n"
    "GPT-4o costs $2.50 per million input tokens and $10 per million output tokens.\n"
    "Whisper transcribes and translates audio in many languages.\n\n"
    "| Model | RPM | TPM |\n"
    "| --- | --- | --- |\n"
    "| gpt-4 | 500 | 10,000 |\n"
    "| gpt-4o | 5,000 | 800,000 |\n"
)
HANDBOOK = (
    "# 员工手册\n\n"
    "员工每年享有十五天带薪年假。未休完的年假最多可以结转五天。\n"
    "公司鼓励员工参加培训，培训的内容包括安全、合规和沟通技巧。\n"
    "差旅费用须在三十天内提交报销申请。\n"
)


def sentences(*documents: str) -> list[Sentence]:
    hits = [
        SearchHit(
            chunk_id=f"c{i}",
            document_id=f"d{i}",
            collection="default",
            title=f"doc {i}",
            source=f"doc{i}.md",
            page=None,
            pages=[],
            heading="",
            text=text,
            score=1.0 - i / 10,
            chunk_index=0,
            version=1,
            char_start=0,
            char_end=len(text),
        )
        for i, text in enumerate(documents)
    ]
    return source_sentences(ContextAssembler().assemble(hits, 10_000), hits)


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("年假有多少天？", "quantity"),
        ("什么时候提交报销？", "date"),
        ("How much does GPT-4o cost?", "quantity"),
        ("When was it released?", "date"),
        ("What is the training data cutoff date of gpt-4o?", "date"),
        ("Will the update change anything?", "other"),  # "update" holds no date
        ("谁负责审批？", "person"),
        ("Who founded OpenAI?", "person"),
        ("The company was founded by whom?", "person"),
        # "who" inside a clause asks for no one (a name still answers, as it may for "which")
        ("What restriction can we put on who is allowed to use our keys?", "name"),
        ("Which model transcribes audio?", "name"),
        ("What's the model name to use for speech-to-text transcription?", "name"),
        ("Whisper 模型是做什么用的？", "other"),
        ("前端推送流式响应，建议用什么技术？", "name"),  # a technology, tool or library is named
        ("What push technology is recommended for the browser?", "name"),
        ("What tools are suggested for visualizing metrics?", "name"),
        ("What does the tool do?", "other"),
        ("What is the context length of GPT-4?", "quantity"),  # a measure named by its noun
        ("上下文长度是？", "quantity"),
        ("大小写敏感吗？", "other"),  # 大小写 is letter case, not a size
    ],
)
def test_question_types(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_a_quantity_question_quotes_the_sentence_with_the_amount(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("How much does GPT-4o cost per million input tokens?", sentences(PRICING, HANDBOOK))
    assert extract.answered and "$2.50 per million input tokens" in extract.quoted[0].text
    assert len(extract.quoted) == 1  # the other GPT-4o sentences do not clear the bar: no padding


def test_a_table_row_is_quoted_as_header_value(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("What is the RPM of gpt-4?", sentences(PRICING))
    assert extract.answered
    assert "- gpt-4 — RPM: 500 [1]" in extract.text and "| Model |" not in extract.text
    assert extract.quoted[0].text == "| gpt-4 | 500 | 10,000 |"  # the citation stays verbatim


def test_chinese_question_quotes_one_sentence(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("员工每年有多少天年假？", sentences(HANDBOOK, PRICING))
    assert extract.answered and extract.quoted[0].text == "员工每年享有十五天带薪年假。"
    assert all("差旅" not in s.text and "培训" not in s.text for s in extract.quoted)


def test_a_long_sentence_is_cut_to_the_answering_clause(answerer: ExtractiveAnswerer) -> None:
    long = "本政策适用于全体员工，" * 12 + "出差的住宿标准为每晚五百元，" + "具体以财务部门的最新通知为准，" * 8 + "。"
    extract = answerer.answer("出差住宿标准每晚多少钱？", sentences(long))
    quote = extract.quoted[0]
    assert extract.answered and "每晚五百元" in quote.text and len(quote.text) <= 200
    assert long[quote.start : quote.end] == quote.text


def test_of_two_clauses_matching_alike_the_one_stating_the_asked_value_is_quoted(answerer: ExtractiveAnswerer) -> None:
    filler = "文档中的其他内容与此无关,只是为了让这一行足够长,以便测试片段的选择,这里再写一些说明文字,继续补充一些描述,"
    line = f"Batch API 批量处理适合离线任务,{filler * 3}Batch API 批量处理的账单会便宜 50%,适合大批量离线任务。"
    best = answerer.scorer.score("How much cheaper is Batch API processing?", sentences(line))[0]
    assert "50%" in best.display and len(best.display) <= 200


@pytest.mark.parametrize(
    ("question", "language"), [("公司年会在哪里举办？", "zh"), ("Where is the company's annual party held?", "en")]
)
def test_nothing_answers_gives_no_answer_in_the_question_language(
    answerer: ExtractiveAnswerer, question: str, language: str
) -> None:
    extract = answerer.answer(question, sentences(HANDBOOK, PRICING))
    assert not extract.answered and extract.text == NO_ANSWER[language] and extract.quoted == []
