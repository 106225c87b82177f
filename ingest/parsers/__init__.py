"""Bytes in, ``ParsedDocument`` out. The format is detected from content, not the file name."""

from __future__ import annotations

from core.errors import ParseError
from ingest.parsers.base import Block, ParsedDocument
from ingest.parsers.detect import detect_format
from ingest.parsers.encoding import decode

__all__ = ["Block", "ParsedDocument", "detect_format", "parse_bytes"]


def parse_bytes(data: bytes, filename: str, *, max_pages: int = 5000, max_chars: int = 20_000_000) -> ParsedDocument:
    """Parse a document.

    :raises ParseError: with a reason a person understands (empty, encrypted, damaged, no text…).
    :raises UnsupportedMediaType: the content is not a kind knowbase reads.
    """
    fmt = detect_format(data, filename)
    if fmt == "pdf":
        from ingest.parsers.pdf import parse_pdf

        document = parse_pdf(data, max_pages, max_chars)
    elif fmt == "docx":
        from ingest.parsers.docx import parse_docx

        document = parse_docx(data, max_chars)
    else:
        decoded = decode(data)
        text = decoded.text
        if fmt == "html":
            from ingest.parsers.html import parse_html

            document = parse_html(text, max_chars)
        elif fmt == "markdown":
            from ingest.parsers.markdown import parse_markdown

            document = parse_markdown(text, max_chars)
        else:
            from ingest.parsers.text import parse_text

            document = parse_text(text, max_chars)
        document.warnings.extend(decoded.warnings)
    if not document.blocks:
        raise ParseError(f"no text could be extracted from this {fmt.upper()} file")
    return document
