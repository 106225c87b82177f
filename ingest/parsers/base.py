"""What every parser produces: one canonical text plus structural blocks with exact offsets.

A block's text is ``document.text[block.start:block.end]``, so chunks and citations derived from
blocks can always be checked against the stored text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from core.errors import ParseError

BLOCK_SEPARATOR = "\n\n"
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t]*(?=[{_CJK}])")
_HYPHEN_BREAK = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b]+")
# A line that starts a list item (•, -, 1., (2), 三、, Q1:) or a table row (|), or follows a lead-in
# ending in a colon or a table row, is not a wrapped continuation: it keeps its own line, so each
# item and row stays a sentence of its own.
_ITEM_START = re.compile(
    r"^\s*(?:\||[•·▪◦●○■□►▶✓✔*+\-–—]\s|\d{1,3}[.)]\s|\d{1,3}、|[（(]\d{1,3}[)）]|[一二三四五六七八九十]{1,3}、|"
    r"[QA]\d{0,3}\s*[:：])"
)
_LEAD_IN_END = re.compile(r"[:：]\s*$")
_SENTENCE_PUNCTUATION = re.compile(r"[。！？.!?；;，,]")
HEADING_COLUMNS = 30  # a line this short (a CJK character is two columns) that ends early is no wrap
WRAP_COLUMNS = 50  # in plain text, a paragraph whose lines are all narrower was not wrapped


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # heading | paragraph | list_item | table_row | code
    page: int | None = None
    heading_path: tuple[str, ...] = ()


@dataclass
class ParsedDocument:
    text: str
    blocks: list[Block]
    format: str
    title: str | None = None
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]


class TextBuilder:
    """Appends blocks to one text, recording offsets; enforces the extracted-size limit."""

    def __init__(self, max_chars: int) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._max_chars = max_chars
        self.blocks: list[Block] = []

    def add(self, text: str, kind: str = "paragraph", page: int | None = None, headings: tuple[str, ...] = ()) -> None:
        text = text.strip()
        if not text:
            return
        if self._parts:
            self._parts.append(BLOCK_SEPARATOR)
            self._length += len(BLOCK_SEPARATOR)
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        if self._length > self._max_chars:
            raise ParseError(
                f"the document holds more than {self._max_chars:,} characters of text; split it into smaller files"
            )
        self.blocks.append(Block(start, self._length, kind, page, headings))

    def build(self, fmt: str, title: str | None = None, pages: int | None = None) -> ParsedDocument:
        return ParsedDocument("".join(self._parts), self.blocks, fmt, title, pages)


def join_wrapped_lines(text: str, keep_short_lines: bool = False) -> str:
    """Undo hard line wrapping inside a paragraph: CJK lines join without a space, hyphenated
    words are rejoined, other lines join with one space. List items and the line after a lead-in
    ("…as follows:") keep their own lines; with ``keep_short_lines`` so do the lines of a paragraph
    none of whose lines is as wide as text is wrapped at (see ``is_record_block``)."""
    records = keep_short_lines and is_record_block(text)
    lines: list[list[str]] = []
    for line in text.split("\n"):
        previous = lines[-1][-1] if lines else ""
        if (
            not lines
            or records
            or _ITEM_START.match(line)
            or _starts_with_symbol(line)
            or _LEAD_IN_END.search(previous)
            or previous.lstrip().startswith("|")
            or (len(lines[-1]) == 1 and _is_heading_line(previous))
        ):
            lines.append([line])
        else:
            lines[-1].append(line)
    joined = (_join_lines("\n".join(group)) for group in lines)
    return "\n".join(line for line in joined if line)


def columns(line: str) -> int:
    """The line's width on screen: a CJK (wide) character takes two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line.strip())


def is_record_block(text: str) -> bool:
    """Lines narrower than hard-wrapped text ever is: one record per line (a table copied without
    its borders, "GPT-5$1.25$10最强推理、复杂任务" under its header row; an address), not a
    sentence wrapped. Plain text wraps at 60-80 columns, Chinese at 30-40 characters, and every
    wrapped line but the last is that wide; a header line above the records may be wider."""
    widths = [columns(line) for line in text.split("\n") if line.strip()]
    if len(widths) < 2:
        return False
    below = widths[1:] if len(widths) >= 3 else widths
    return max(below) < WRAP_COLUMNS


def _starts_with_symbol(line: str) -> bool:
    """An emoji or pictograph opens a heading or an item in chat-style articles ("📋 错误码速查表")."""
    first = line.lstrip()[:1]
    return bool(first) and unicodedata.category(first) == "So"


def _is_heading_line(line: str) -> bool:
    """A short numbered or emoji-led line without sentence punctuation: "一、概述", "3. Pricing"."""
    stripped = line.strip()
    # Chinese characters count two, Hangul one: with columns()'s east-Asian widths the numbered Korean
    # headings of a 4-page PDF of the corpus ("(1) 「감염병의 예방 및 관리에 관한 법률」 개정") ran into
    # their paragraphs; nothing else in ../shared/corpus changed
    width = sum(2 if _CJK_CHAR.match(ch) else 1 for ch in stripped)
    numbered = _ITEM_START.match(stripped) and not stripped.startswith(("|", "-", "*", "+", "•"))
    return (
        (bool(numbered) or _starts_with_symbol(stripped))
        and width <= HEADING_COLUMNS
        and not _SENTENCE_PUNCTUATION.search(_ITEM_START.sub("", stripped, count=1))
    )


def _join_lines(text: str) -> str:
    text = _CJK_LINE_BREAK.sub("", text)
    text = _HYPHEN_BREAK.sub("", text)
    text = _LINE_BREAK.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", _LINE_BREAK.sub(" ", text)).strip()


def split_paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n")) if p.strip()]
