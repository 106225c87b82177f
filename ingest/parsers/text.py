"""Plain text: paragraphs split on blank lines, hard-wrapped lines rejoined (a paragraph of short lines
keeps them: a table or an address copied as text); tabular files by line."""

from __future__ import annotations

from ingest.parsers.base import ParsedDocument, TextBuilder, join_wrapped_lines, split_paragraphs


def parse_text(text: str, max_chars: int) -> ParsedDocument:
    builder = TextBuilder(max_chars)
    lines = [line for line in text.splitlines() if line.strip()]
    tabular = len(lines) >= 3 and sum("\t" in line for line in lines) > 0.6 * len(lines)
    if tabular:
        for line in lines:
            builder.add(" | ".join(cell.strip() for cell in line.split("\t")), "table_row")
    else:
        for paragraph in split_paragraphs(text):
            builder.add(join_wrapped_lines(paragraph, keep_short_lines=True), "paragraph")
    return builder.build("text")
