"""Table rows: the columns the question names, and the row whose label it names rather than the
neighbouring row sharing its numbers and column headers."""

from __future__ import annotations

import pytest

from answer.extractive import ExtractiveAnswerer
from answer.tables import TableRow, other_rows, table_row
from tests.answer.test_extractive import sentences

pytestmark = pytest.mark.unit

LIMITS = (
    "API限制与应对策略\n"
    "| 限制类型 | GPT-3.5-Turbo 示例 | GPT-4 示例 |\n"
    "|---|---|---|\n"
    "| 上下文长度 | 4096 tokens | 8192 tokens |\n"
    "| 每分钟tokens数 (TPM) | 90,000 | 30,000 |\n"
    "| 每分钟请求数 (RPM) | 3500 | 1000 |\n"
)
CONSOLE = (
    "| 模块 | 说明 |\n"
    "|---|---|\n"
    "| 工具 / 扩展能力 | 函数调用与插件 |\n"
    "| Playground / 试验环境 | 提供一个网页版界面让开发者写 prompt、调试交互、尝试不同模型和参数设置 |\n"
)


def test_the_row_is_shown_with_the_column_the_question_names_most() -> None:
    found = sentences(LIMITS)
    row = next(s for s in found if "RPM" in s.text)
    # both model columns share "gpt" with the question; only GPT-4's shares its number too
    shown = table_row(row, "GPT-4 每分钟最多能发多少个请求？", found)
    assert shown is not None and shown.display == "每分钟请求数 (RPM) — GPT-4 示例: 1000"
    assert shown.label == "每分钟请求数 (RPM)"
    header = next(s for s in found if "限制类型" in s.text)
    assert shown.table == (row.n, header.start)
    assert table_row(header, "GPT-4 每分钟最多能发多少个请求？", found) is None  # the header states nothing
    assert shown.caption == "API限制与应对策略"  # the line above the table says what its rows are about


def test_a_question_naming_no_column_gets_every_column() -> None:
    found = sentences(LIMITS)
    row = next(s for s in found if "RPM" in s.text)
    shown = table_row(row, "每分钟请求数是多少？", found)
    assert shown is not None and shown.display == "每分钟请求数 (RPM) — GPT-3.5-Turbo 示例: 3500; GPT-4 示例: 1000"


def test_the_row_the_question_labels_answers_not_its_neighbour(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("GPT-3.5-Turbo 每分钟最多能发多少次请求？", sentences(LIMITS))
    assert extract.answered
    assert extract.text.splitlines()[1] == "- 每分钟请求数 (RPM) — GPT-3.5-Turbo 示例: 3500 [1]"
    assert "90,000" not in extract.text


def test_a_length_question_is_answered_by_the_row_with_the_length(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("What is the context length of GPT-4?", sentences(LIMITS))
    assert extract.answered and "8192 tokens" in extract.text


def test_neighbours_are_rows_whose_label_and_whole_match_less() -> None:
    table = (0, 10)
    rows = {
        0: TableRow("a — x: 1", "RPM", table),
        1: TableRow("b — x: 2", "TPM", table),
        2: TableRow("c", "c", (0, 99)),
    }
    labels = {"RPM": 0.3, "TPM": 0.1, "c": 0.0}
    # the labelled row matches as well overall: its neighbour is penalised, a row of another table is not
    assert other_rows(rows, labels.__getitem__, [0.2, 0.2, 0.5]) == {1}
    # the row matching better on its other cells is what the question describes, not a neighbour
    assert other_rows(rows, labels.__getitem__, [0.2, 0.6, 0.5]) == set()


def test_a_row_described_by_its_cells_is_not_outdone_by_a_labelled_one(answerer: ExtractiveAnswerer) -> None:
    extract = answerer.answer("哪个工具可以在网页上调试 prompt 和尝试不同模型参数？", sentences(CONSOLE))
    assert extract.answered and extract.quoted[0].text.startswith("| Playground")


def test_a_name_the_caption_says_is_what_its_rows_are_about(answerer: ExtractiveAnswerer) -> None:
    # "API" is named by the caption, not by the row: the row is about it all the same
    other = "员工每年享有十五天年假。\n报销须在三十天内提交。\n培训每季度举办一次。\n访客须在前台登记。\n"
    found = sentences(other + "\n" + LIMITS)
    ranked = answerer.scorer.score("API 限制表里 GPT-4 每分钟最多能发多少个请求？", found)
    assert ranked[0].display == "每分钟请求数 (RPM) — GPT-4 示例: 1000"
    assert answerer.select("API 限制表里 GPT-4 每分钟最多能发多少个请求？", ranked).answered


def test_a_row_is_about_the_names_in_its_other_cells(answerer: ExtractiveAnswerer) -> None:
    table = (
        "🧠 模型选择策略\n| 任务类型 | 推荐模型 | 成本对比(每千token) |\n|---|---|---|\n"
        "| 快速问答 | gpt-3.5-turbo | $0.002 |\n| 高质量生成 | gpt-4 | $0.03 / $0.06 |\n"
    )
    other = "员工每年享有十五天年假。\n报销须在三十天内提交。\n培训每季度举办一次。\n访客须在前台登记。\n"
    question = "用 gpt-3.5-turbo 做简单问答每千个 token 大约多少钱？"
    ranked = answerer.scorer.score(question, sentences(other + "\n" + table))
    # the row shows the cost column the question names and the cell naming the model it asks about
    assert ranked[0].display == "快速问答 — 推荐模型: gpt-3.5-turbo; 成本对比(每千token): $0.002"
    assert ranked[0].states_asked_value


MODEL_CHOICE = (
    "🧠 模型选择策略\n| 任务类型 | 推荐模型 | 成本对比(每千token) |\n|---|---|---|\n"
    "| 快速问答 | gpt-3.5-turbo | $0.002 |\n| 高质量生成 | gpt-4 | $0.03 / $0.06 |\n"
    "| 极低成本任务 | text-davinci-003 | $0.02 |\n| 微调需求 | gpt-3.5-turbo-instruct | $0.003 |\n"
)


def test_the_row_naming_the_asked_model_answers_not_a_row_labelled_by_more_words(
    answerer: ExtractiveAnswerer,
) -> None:
    # "cost" and "tasks" label the 极低成本任务 row; gpt-3.5-turbo, in a column the question does not
    # name, says which row is meant, and gpt-3.5-turbo-instruct is another model
    question = "What's the per-1K-token cost of gpt-3.5-turbo for quick Q&A tasks?"
    extract = answerer.answer(question, sentences(MODEL_CHOICE))
    assert extract.answered
    assert [s.text for s in extract.quoted] == ["| 快速问答 | gpt-3.5-turbo | $0.002 |"]
    assert "推荐模型: gpt-3.5-turbo; 成本对比(每千token): $0.002" in extract.text
