"""DOCX via python-docx: paragraphs, headings (heading path), list items and table rows, in order."""

from __future__ import annotations

import io
import re
import zipfile

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from core.errors import ParseError
from ingest.parsers.base import ParsedDocument, TextBuilder, collapse_spaces

MAX_UNCOMPRESSED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 150
MAX_ENTRIES = 5000
_HEADING_STYLE = re.compile(r"^(heading|标题)\s*(\d)$", re.I)


def check_zip_bomb(data: bytes) -> None:
    """Refuse archives that expand far beyond their size before any XML is parsed."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ParseError(f"the DOCX is damaged or truncated ({error})") from error
    if len(entries) > MAX_ENTRIES:
        raise ParseError(f"the DOCX holds {len(entries):,} parts; refusing it as a possible zip bomb")
    total = sum(e.file_size for e in entries)
    compressed = max(sum(e.compress_size for e in entries), 1)
    if total > MAX_UNCOMPRESSED_BYTES or (total > 20 * 1024 * 1024 and total / compressed > MAX_COMPRESSION_RATIO):
        raise ParseError(
            f"the DOCX would expand from {compressed / 1e6:.1f} MB to {total / 1e6:,.0f} MB; "
            "refusing it as a possible zip bomb"
        )


def parse_docx(data: bytes, max_chars: int) -> ParsedDocument:
    check_zip_bomb(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ParseError(f"the DOCX is damaged or not a Word document ({error})") from error
    except Exception as error:
        raise ParseError(f"the DOCX cannot be read ({type(error).__name__}: {error})") from error

    builder = TextBuilder(max_chars)
    headings: list[tuple[int, str]] = []
    first_heading: str | None = None
    for item in document.iter_inner_content():
        path = tuple(text for _, text in headings)
        if isinstance(item, Table):
            for row in _table_rows(item):
                builder.add(row, "table_row", headings=path)
            continue
        assert isinstance(item, Paragraph)
        text = collapse_spaces(item.text)
        if not text:
            continue
        level = _heading_level(item)
        if level is not None:
            headings = [(lvl, t) for lvl, t in headings if lvl < level] + [(level, text)]
            first_heading = first_heading or text
            builder.add(text, "heading", headings=tuple(t for _, t in headings))
        else:
            builder.add(text, "list_item" if _is_list_item(item) else "paragraph", headings=path)
    core_title = (document.core_properties.title or "").strip()
    return builder.build("docx", title=core_title or first_heading)


def _heading_level(paragraph: Paragraph) -> int | None:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() == "title":
        return 0
    match = _HEADING_STYLE.match(name.strip())
    return int(match.group(2)) if match else None


def _is_list_item(paragraph: Paragraph) -> bool:
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower().startswith("list"):
        return True
    properties = paragraph._p.pPr
    return properties is not None and properties.numPr is not None


def _table_rows(table: Table) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            if cell._tc is previous:  # merged cells repeat the same cell
                continue
            previous = cell._tc
            cells.append(collapse_spaces(cell.text))
        if any(cells):
            rows.append(" | ".join(cells))
    return rows
