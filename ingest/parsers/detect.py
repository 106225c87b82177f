"""Decide a file's format from its bytes (the extension is only a hint) and decode text files."""

from __future__ import annotations

import io
import re
import zipfile

from core.errors import ParseError, UnsupportedMediaType
from ingest.parsers.encoding import decode

TEXT_FORMATS = {"text", "markdown", "html"}
_MARKDOWN_EXTENSIONS = {".md", ".markdown", ".mdown", ".mkd"}
_HTML_EXTENSIONS = {".html", ".htm", ".xhtml"}
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)

_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG", "a PNG image (no OCR here; upload a document with a text layer)"),
    (b"\xff\xd8\xff", "a JPEG image (no OCR here; upload a document with a text layer)"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\xd0\xcf\x11\xe0", "a legacy Office file (.doc/.xls/.ppt); save it as .docx or PDF"),
    (b"{\\rtf", "an RTF file; save it as .docx or PDF"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
]


def detect_format(data: bytes, filename: str = "") -> str:
    """Return ``pdf``, ``docx``, ``html``, ``markdown`` or ``text``.

    :raises ParseError: the file is empty, or text whose encoding cannot be told with confidence.
    :raises UnsupportedMediaType: the content is of a kind knowbase does not read (says which).
    """
    if not data.strip():
        raise ParseError("the file is empty")
    head = data[:2048]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_format(data)
    for signature, description in _SIGNATURES:
        if head.startswith(signature):
            raise UnsupportedMediaType(f"unsupported file type: this is {description}")
    text = decode_text(data)  # binary: UnsupportedMediaType; undecodable text: ParseError
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in _HTML_EXTENSIONS or _HTML_START.match(text[:2048].encode("utf-8", "ignore")):
        return "html"
    if suffix in _MARKDOWN_EXTENSIONS:
        return "markdown"
    return "text"


def _zip_format(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except zipfile.BadZipFile as error:
        raise ParseError(f"the file looks like a ZIP-based document but is damaged or truncated ({error})") from error
    if "word/document.xml" in names:
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise UnsupportedMediaType("unsupported file type: Excel workbooks (.xlsx) are not supported; export to PDF")
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedMediaType("unsupported file type: PowerPoint (.pptx) is not supported; export to PDF")
    raise UnsupportedMediaType("unsupported file type: a ZIP archive; upload the documents inside it")


def decode_text(data: bytes) -> str:
    """Decode text in any common encoding (see ``ingest.parsers.encoding``).

    :raises ParseError: the encoding cannot be told with confidence, or the text is too damaged.
    :raises UnsupportedMediaType: the bytes are binary, not text.
    """
    return decode(data).text
