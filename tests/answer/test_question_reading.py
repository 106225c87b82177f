"""Reading what a question asks for and about: a document it names is where to look, not a subject;
a score asks a number; a context asks a size; an identifier is a name; a model has a version."""

from __future__ import annotations

import pytest

from answer.asked import asked_amount, document_names, states_amount
from answer.code import CodeQuestion, code_answer
from answer.extractive import ExtractiveAnswerer
from answer.factors import MISSING_NAME_PENALTY, Asked
from answer.kinds import asks_variant, carries, question_type
from answer.names import generic_heads, question_entities, spelled_names
from answer.quotable import Sections, is_heading
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit

GPT5_FAQ = (
    "OpenAI API FAQ:常见问题全面解答\n\n"
    "Q3: GPT-5有哪些新特性?\n\n"
    "A: GPT-5(2025年8月发布)引入了多项革命性特性:\n\n"
    "核心特性:\n"
    "- 超大上下文:支持272K输入tokens,128K输出tokens\n"
    "- 推理控制参数:reasoning_effort(minimal/low/medium/high)\n\n"
    "性能提升:\n"
    "- 编程能力:SWE-bench Verified达到74.9%,Aider Polyglot达到88%\n"
    "- 数学推理:AIME 2025测试达到94.6%准确率\n\n"
    "GPT-5 API有三个版本:\n"
    "- gpt-5:完整版本,最强性能\n"
    "- gpt-5-nano:最快最便宜版本,100万token上下文\n"
)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("What is the maximum input context for GPT-5 according to the API FAQ?", {"api"}),
        ("What endpoint path does the API usage guide list for the Assistants API?", {"api", "usage"}),
        ("API 使用指南里的函数调用示例用的是哪个模型？", {"api"}),
        ("API使用指南里的函数调用示例用的是哪个模型？", {"api"}),  # no space: Chinese is no part of a name
        ("按 API FAQ里说的,GPT-5 的上下文有多大?", {"api"}),
        ("按那篇 API 最佳实践文章的限制示例表,GPT-4 每分钟最多能发多少个请求?", {"api"}),
        ("What is the maximum input context for GPT-5?", set()),
    ],
)
def test_the_words_a_question_names_a_document_by(question: str, named: set[str]) -> None:
    assert document_names(question) == named


def test_a_document_the_question_names_is_no_subject_its_lines_must_name() -> None:
    question = "What is the maximum input context for GPT-5 according to the API FAQ?"
    assert "api" not in spelled_names(question, question_entities(question), sentences(GPT5_FAQ))
    assert "api" not in question_entities("API 使用指南里的函数调用(Function Calling)示例用的是哪个模型？")
    # the API itself, named where no document is, stays a name the sources keep
    assert spelled_names("What does the API cost?", [], sentences(GPT5_FAQ)) == ["api"]


@pytest.mark.parametrize(
    "question",
    [
        "What is the maximum input context for GPT-5?",
        "How much context does GPT-5 take?",
        "GPT-5 最多支持多少上下文?",
        "What is the context window of gpt-4o-mini at most?",
    ],
)
def test_a_quantity_of_context_is_a_size(question: str) -> None:
    assert question_type(question) == "quantity" and asked_amount(question) == "size"


@pytest.mark.parametrize(
    "question",
    [
        "What score did GPT-5 reach on SWE-bench Verified?",
        "How accurate is GPT-5 on the AIME 2025 math benchmark?",
        "What accuracy does GPT-5 reach on AIME 2025?",
        "GPT-5 在 AIME 2025 上的准确率是?",
        "GPT-5 在 SWE-bench Verified 的得分是?",
    ],
)
def test_a_score_is_a_quantity(question: str) -> None:
    assert question_type(question) == "quantity"


def test_the_line_with_the_size_states_the_value_asked_for(answerer: ExtractiveAnswerer) -> None:
    # "the API FAQ" named no subject the line must name; "maximum input context" asks a size
    question = "What is the maximum input context for GPT-5 according to the API FAQ?"
    ranked = answerer.scorer.score(question, sentences(GPT5_FAQ))
    assert next(c for c in ranked if "272K" in c.display).states_asked_value
    assert not next(c for c in ranked if "gpt-5-nano" in c.display).states_asked_value  # another variant


def test_an_identifier_is_a_name_the_sources_must_state() -> None:
    assert "completion_window" in question_entities("What completion_window value does the Batch API example use?")
    assert question_entities("What does the batch window mean?") == []


def test_which_model_is_answered_by_a_versioned_model_name() -> None:
    question = "函数调用示例用的是哪个模型？"
    assert not carries("name", "函数调用(Function Calling)— 工具集成", question)
    assert carries("name", 'openai.ChatCompletion.create( model="gpt-3.5-turbo-0613" )', question)
    assert carries("name", "语音转文字用 whisper-1", "Which model turns audio into text?")
    # a question for another kind of name still takes a name without a version
    assert carries("name", "用 Prometheus + Grafana 可视化指标", "用什么工具可视化指标？")


def test_a_model_call_is_about_the_heading_of_its_example() -> None:
    text = (
        "🧩 函数调用(Function Calling)\n\n"
        'response = openai.ChatCompletion.create( model="gpt-3.5-turbo-0613", messages=messages )\n'
    )
    question = "函数调用(Function Calling)示例用的是哪个模型？"
    lines = sentences(text)
    asked = CodeQuestion.of(Asked.of(question, lines), lines)
    found = [code_answer(line, asked) for line in lines]
    call, about = next(f for f in found if f is not None)
    assert "openai.ChatCompletion.create(" in call.text and "gpt-3.5-turbo-0613" in call.text
    assert "Function Calling" in call.about and "Function Calling" in about


WHISPER_SECTION = (
    "4.1 语音转文字(Whisper)\n\n"
    "EndpointPOST /v1/audio/transcriptions\n\n"
    "4.2 文字转语音(TTS)\n\n"
    "EndpointPOST /v1/audio/speech\n\n"
    "4.3 图像生成(DALL-E)\n\n"
    "EndpointPOST /v1/images/generations\n\n"
    "所有接口都需要在请求头里带上 API Key。\n\n"
    "调用失败时可以按指数退避重试。\n"
)


def test_a_line_stating_an_address_is_no_heading() -> None:
    lines = sentences(WHISPER_SECTION)
    headings = [line.text for line in lines if is_heading(line)]
    assert headings == ["4.1 语音转文字(Whisper)", "4.2 文字转语音(TTS)", "4.3 图像生成(DALL-E)"]


def test_a_line_is_about_the_heading_it_is_under() -> None:
    lines = sentences(WHISPER_SECTION)
    sections = Sections(lines)
    by_text = {line.text: line for line in lines}
    assert sections.of(by_text["EndpointPOST /v1/audio/transcriptions"]) == "4.1 语音转文字(Whisper)"
    assert sections.of(by_text["EndpointPOST /v1/audio/speech"]) == "4.2 文字转语音(TTS)"
    assert sections.of(by_text["4.1 语音转文字(Whisper)"]) == ""  # nothing above it
    # so the endpoint under the Whisper heading is about Whisper, the one under TTS is not
    question = "Which endpoint do I POST to for speech-to-text transcription with Whisper?"
    asked = Asked.of(question, lines)
    assert asked.subjects == ["whisper"]
    transcriptions, speech = (by_text[f"EndpointPOST /v1/audio/{end}"] for end in ("transcriptions", "speech"))
    about, other = (asked.judge(line, line, line.text, None) for line in (transcriptions, speech))
    assert about[1] and not other[1]  # states the address asked for, about Whisper
    assert about[0] > other[0] / (1 - MISSING_NAME_PENALTY) - 1e-9


def test_a_line_naming_the_batch_call_is_about_the_batch_api() -> None:
    assert generic_heads("What completion_window value does the Batch API example use?") == {"api": "batch"}
    assert generic_heads("Which SDK does the API use?") == {}  # no name before them
    question = "What completion_window value does the Batch API example use?"
    text = (
        "- 批量处理(Batch API)— 省钱 50%\n"
        "- 所有 API 请求都需要 API Key。\n"
        'batch = client.batches.create( input_file_id=file.id, completion_window="24h" )\n'
    )
    lines = sentences(text)
    asked = Asked.of(question, lines)
    assert asked.qualified.get("api") == "batch"
    call = next(line for line in lines if "completion_window" in line.text)
    # the call never says "API": naming the batch is naming the Batch API
    factor, _ = asked.judge(call, call, call.text, None)
    plain = Asked.of(question.replace("Batch API", "batch"), lines)
    assert factor == pytest.approx(plain.judge(call, call, call.text, None)[0])


RATE_LIMITS = (
    "比如，当 2023 年 3 月发布的 GPT-4 还要每百万个输入 Token 收费 30 美元时，GPT-4o 已降到 2.5 美元。\n\n"
    "🚫 API限制与应对策略\n"
    "| 限制类型 | GPT-3.5-Turbo 示例 | GPT-4 示例 |\n"
    "|---|---|---|\n"
    "| 上下文长度 | 4096 tokens | 8192 tokens |\n"
    "| 每分钟请求数 (RPM) | 3500 | 1000 |\n"
    "| 每分钟tokens数 (TPM) | 90,000 | 30,000 |\n"
)


def test_a_row_label_counting_a_unit_makes_its_cells_sizes(answerer: ExtractiveAnswerer) -> None:
    assert states_amount("size", "每分钟tokens数 (TPM) — GPT-4 示例: 30,000", "每分钟tokens数 (TPM)")
    assert states_amount("size", "30,000", "number of tokens per minute")
    assert not states_amount("size", "每分钟请求数 (RPM) — GPT-4 示例: 1000", "每分钟请求数 (RPM)")
    assert not states_amount("size", "发布年份 — 2023", "发布年份")
    extract = answerer.answer(
        "In the rate-limit example, how many tokens per minute is GPT-4 allowed?", sentences(RATE_LIMITS)
    )
    assert extract.answered and "30,000" in extract.text and "30 美元" not in extract.text


def test_a_question_asking_which_variant_is_answered_by_a_variant(answerer: ExtractiveAnswerer) -> None:
    assert asks_variant("Which GPT-5 API variant is the fastest and cheapest option?")
    assert asks_variant("GPT-5 哪个版本最快最便宜？")
    assert not asks_variant("How much does GPT-5 cost?")
    text = (
        "GPT-5 API有三个版本:\n"
        "- gpt-5:完整版本,最强性能\n"
        "- gpt-5-mini:小型版本,性能优于GPT-4o但速度更快\n"
        "- gpt-5-nano:最快最便宜版本,100万token上下文\n"
    )
    extract = answerer.answer("GPT-5 哪个版本最快最便宜？", sentences(text))
    assert extract.answered and "gpt-5-nano" in extract.text
    # asked about GPT-5 itself, a variant's line still answers about another model
    lines = sentences(text)
    nano = next(line for line in lines if "nano" in line.text)
    about = Asked.of("What does GPT-5 offer?", lines)
    which = Asked.of("Which GPT-5 variant is the fastest?", lines)
    assert about.judge(nano, nano, nano.text, None)[0] < which.judge(nano, nano, nano.text, None)[0]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When I create a Batch API job, what completion_window value do I set?", "other"),
        ("When John Fox left as head coach for the Broncos, who replaced him?", "person"),
        ("If a matter is not specifically reserved, who is it devolved to?", "person"),
        ("When was the Batch API released?", "date"),
        ("When was GPT-4 released, and by whom?", "date"),
    ],
)
def test_a_question_opening_with_a_condition_asks_what_its_main_clause_asks(question: str, kind: str) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize(
    "question",
    [
        "Where should I keep an eye on official API changes so our integration doesn't break?",
        "Where can I follow OpenAI's official API changelog?",
        "Where should we monitor API deprecations?",
    ],
)
def test_where_to_keep_an_eye_on_something_asks_for_a_page(question: str) -> None:
    assert question_type(question) == "address"
