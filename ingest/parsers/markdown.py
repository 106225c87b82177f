"""Markdown: ATX and setext headings (heading path), list items, table rows, code fences, paragraphs."""

from __future__ import annotations

import re

from ingest.parsers.base import ParsedDocument, TextBuilder, join_wrapped_lines

_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_LIST = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def parse_markdown(text: str, max_chars: int) -> ParsedDocument:
    builder = TextBuilder(max_chars)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headings: list[tuple[int, str]] = []
    paragraph: list[str] = []
    title: str | None = None

    def path() -> tuple[str, ...]:
        return tuple(t for _, t in headings)

    def flush() -> None:
        if paragraph:
            builder.add(join_wrapped_lines("\n".join(paragraph)), "paragraph", headings=path())
            paragraph.clear()

    def heading(level: int, heading_text: str) -> None:
        nonlocal headings, title
        flush()
        headings = [(lvl, t) for lvl, t in headings if lvl < level] + [(level, heading_text)]
        if level == 1 and title is None:
            title = heading_text
        builder.add(heading_text, "heading", headings=path())

    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line):
            flush()
            fence = _FENCE.match(line).group(1)  # type: ignore[union-attr]
            code = [line]
            index += 1
            while index < len(lines):
                code.append(lines[index])
                if lines[index].strip().startswith(fence):
                    break
                index += 1
            builder.add("\n".join(code), "code", headings=path())
        elif match := _ATX.match(line):
            heading(len(match.group(1)), match.group(2))
        elif paragraph and len(paragraph) == 1 and _SETEXT.match(line) and not _LIST.match(paragraph[0]):
            heading_text = paragraph.pop().strip()
            heading(1 if line.strip().startswith("=") else 2, heading_text)
        elif not line.strip():
            flush()
        elif line.lstrip().startswith("|") or (
            line.count("|") >= 2 and index + 1 < len(lines) and _TABLE_SEPARATOR.match(lines[index + 1])
        ):
            flush()
            if not _TABLE_SEPARATOR.match(line):
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                builder.add(" | ".join(cells), "table_row", headings=path())
        elif _LIST.match(line):
            flush()
            item = [line.strip()]
            while (
                index + 1 < len(lines)
                and lines[index + 1].startswith((" ", "\t"))
                and lines[index + 1].strip()
                and not _LIST.match(lines[index + 1])
            ):
                index += 1
                item.append(lines[index].strip())
            builder.add(join_wrapped_lines("\n".join(item)), "list_item", headings=path())
        else:
            paragraph.append(line)
        index += 1
    flush()
    return builder.build("markdown", title=title)
