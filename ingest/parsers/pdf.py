"""PDF via pypdf: one block per paragraph, each with its 1-based page number."""

from __future__ import annotations

import io
import logging
import re

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError

from core.errors import ParseError
from ingest.parsers.base import ParsedDocument, TextBuilder, join_wrapped_lines

log = logging.getLogger(__name__)
# pypdf warns per font and per broken xref entry; those are not actionable for a person.
logging.getLogger("pypdf").setLevel(logging.ERROR)
_JUNK_TITLE = re.compile(r"^(untitled|microsoft word - .*|.*\.(docx?|pdf|indd|tex)|document\d*)$", re.I)
# A PDF line break ends a paragraph when the line ends a sentence and is clearly shorter than a full line.
_SENTENCE_END = re.compile(r"[.!?。！？:：;；]['\"”’)）]*$")


def parse_pdf(data: bytes, max_pages: int, max_chars: int) -> ParsedDocument:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                # Owner-password-only PDFs open with an empty *user* password, as in any viewer. An
                # empty owner password must not bypass a user password the author set.
                opened = reader.decrypt("") == PasswordType.USER_PASSWORD
            except (DependencyError, NotImplementedError, FileNotDecryptedError):
                opened = False
            if not opened:
                raise ParseError("the PDF is password-protected; upload a copy without a password")
        page_count = len(reader.pages)
    except ParseError:
        raise
    except (DependencyError, FileNotDecryptedError) as error:
        raise ParseError("the PDF is password-protected; upload a copy without a password") from error
    except (PdfReadError, PdfStreamError, ValueError, KeyError, TypeError, OSError) as error:
        raise ParseError(f"the PDF is damaged or truncated and cannot be read ({error})") from error
    if page_count == 0:
        raise ParseError("the PDF has no pages")
    if page_count > max_pages:
        raise ParseError(f"the PDF has {page_count:,} pages; the limit is {max_pages:,}")

    builder = TextBuilder(max_chars)
    failed_pages = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            raw = page.extract_text() or ""
        except Exception as error:  # noqa: BLE001 - pypdf raises many types on broken content streams
            log.warning("could not extract a PDF page", extra={"page": number, "error": str(error)})
            failed_pages.append(number)
            continue
        for paragraph in _paragraphs(raw):
            builder.add(paragraph, "paragraph", page=number)
    document = builder.build("pdf", title=_title(reader), pages=page_count)
    if not document.blocks:
        if failed_pages:
            raise ParseError("the PDF's text could not be extracted from any page (damaged content streams)")
        raise ParseError("the PDF has no text layer (scanned images?); OCR is not supported, upload a searchable PDF")
    if failed_pages:
        document.warnings.append(f"text could not be extracted from pages {failed_pages}")
    return document


def _paragraphs(raw: str) -> list[str]:
    """Group a page's lines into paragraphs: blank lines always split; a short line ending a
    sentence splits too (pypdf rarely emits blank lines)."""
    lines = [line.rstrip() for line in raw.replace("\r", "\n").split("\n")]
    widths = sorted(len(line) for line in lines if line.strip())
    full_width = widths[int(len(widths) * 0.8)] if widths else 0
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if not line.strip():
            if current:
                paragraphs.append(current)
                current = []
            continue
        current.append(line)
        if _SENTENCE_END.search(line) and len(line) < 0.8 * full_width:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return [text for text in (join_wrapped_lines("\n".join(p)) for p in paragraphs) if text]


def _title(reader: PdfReader) -> str | None:
    try:
        title = reader.metadata.get("/Title") if reader.metadata else None
    except Exception:  # noqa: BLE001 - broken metadata must not fail the document
        return None
    title = str(title).strip() if title else ""
    return title if title and not _JUNK_TITLE.match(title) else None
