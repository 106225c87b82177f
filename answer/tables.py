"""Table rows as answers: a row is quoted as "label — header: value" for the columns the question
names, and among the rows of one table the question picks the row by its label ("GPT-3.5-Turbo
每分钟最多能发多少次请求" is the RPM row, not the TPM row next to it, whose numbers and columns
match the question as well)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from answer.names import is_versioned, question_entities
from answer.sentences import Sentence

TABLE_RULE = re.compile(r"^[\s|:\-]+$")
CAPTION_CHARS = 60
_LATIN_WORD = re.compile(r"[a-z]+|\d+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


@dataclass(frozen=True)
class TableRow:
    display: str  # "label — header: value; header: value"
    label: str  # the row's first cell
    table: tuple[int, int]  # (source number, header row's offset): rows of one table share it
    caption: str = ""  # the line right above the table ("🚫 API限制与应对策略"): what its rows are about


def is_table_line(text: str) -> bool:
    return text.lstrip().startswith("|")


def cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def header_words(text: str) -> frozenset[str]:
    """Latin words, numbers and Chinese character bigrams: a column named "GPT-4 示例" is {gpt, 4, 示例}."""
    lowered = text.lower()
    words = set(_LATIN_WORD.findall(lowered))
    for run in _CJK_RUN.findall(lowered):
        words.update(run[i : i + 2] for i in range(len(run) - 1))
    return frozenset(words)


def table_row(row: Sentence, question: str, context: list[Sentence]) -> TableRow | None:
    """The row with the columns the question names most (all when it names none); None for the
    header row itself or a row without a header."""
    same = [s for s in context if s.n == row.n and s.start <= row.start]
    header: Sentence | None = None
    caption = ""
    for candidate in reversed(same[:-1] if same and same[-1] is row else same):
        if not is_table_line(candidate.text):
            near = header is not None and 0 < header.start - candidate.end <= 2  # on the line above
            caption = candidate.text if near and len(candidate.text) <= CAPTION_CHARS else ""
            break
        if not TABLE_RULE.match(candidate.text):
            header = candidate
    if header is None:
        return None
    values = cells(row.text)
    pairs = list(zip(cells(header.text), values, strict=False))
    asked = header_words(question)
    # "GPT-3.5-Turbo 示例" and "GPT-4 示例" both share "gpt" with a question about GPT-4: the column
    # sharing most of its words is the one named
    shared = [len(asked & header_words(name)) for name, _ in pairs[1:]]
    most = max(shared, default=0)
    # a cell naming the versioned product the question is about ("gpt-3.5-turbo" in a 推荐模型 column
    # the question does not name) says which row it is: it is shown with the columns asked for
    versioned = list(filter(is_versioned, question_entities(question)))
    chosen = [
        (name, value)
        for (name, value), count in zip(pairs[1:], shared, strict=True)
        if not most or count == most or any(product in value.lower() for product in versioned)
    ]
    label = values[0] if values else ""
    display = f"{label} — " + "; ".join(f"{name}: {value}" for name, value in chosen)
    return TableRow(display, label, (row.n, header.start), caption)


def other_rows(rows: dict[int, TableRow], label_evidence: Callable[[str], float], evidence: list[float]) -> set[int]:
    """Of candidate rows (by candidate index, ``evidence`` their match of the question), those
    another row of their table outdoes: its label matches the question more and the whole row no
    less. The question names that row; the others are its neighbours (the TPM row next to the RPM
    row asked for). A row matching better on the rest of its cells (the description asked about,
    "Playground — 说明: 提供一个网页版界面…") is not a neighbour of a row the question's words merely label."""
    by_label = {i: label_evidence(row.label) for i, row in rows.items()}
    named: dict[tuple[int, int], tuple[float, float]] = {}  # per table: the best label and its row's evidence
    for i, row in rows.items():
        label, whole = named.get(row.table, (-1.0, 0.0))
        if by_label[i] > label or (by_label[i] == label and evidence[i] > whole):
            named[row.table] = (by_label[i], evidence[i])
    return {i for i, row in rows.items() if by_label[i] < named[row.table][0] and evidence[i] <= named[row.table][1]}
