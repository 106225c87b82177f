"""Decide a file's format from its bytes (the extension is only a hint) and decode text files."""

from __future__ import annotations

import codecs
import io
import re
import zipfile

from core.errors import ParseError, UnsupportedMediaType

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

    :raises ParseError: the file is empty.
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
    text = decode_text(data)  # raises UnsupportedMediaType for binary content
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
    """Decode text in any common encoding: BOMs, UTF-8, UTF-16 without BOM, GB18030, Big5, cp1252.

    :raises UnsupportedMediaType: the bytes are binary, not text.
    """
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _checked(data.decode(encoding, errors="replace"))
    sample = data[:4096]
    if sample.count(b"\x00") > len(sample) // 8:
        # UTF-16 without BOM: the zero bytes of ASCII characters sit at odd (LE) or even (BE) offsets.
        odd_zeros = sample[1::2].count(0)
        even_zeros = sample[0::2].count(0)
        encoding = "utf-16-le" if odd_zeros > even_zeros else "utf-16-be"
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError:
            raise UnsupportedMediaType("unsupported file type: binary data, not text") from None
    for encoding in ("utf-8", "gb18030", "big5"):
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    return _checked(data.decode("cp1252", errors="replace"))


def _checked(text: str) -> str:
    sample = text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if sample and (controls > len(sample) * 0.05 or sample.count("\ufffd") > len(sample) * 0.1):
        raise UnsupportedMediaType("unsupported file type: binary data, not text")
    return text.replace("\x00", "")
