"""Build small test documents in code, so the suite does not depend on ../shared for basics."""

from __future__ import annotations

import io
import zipfile


def make_pdf(pages: list[list[str]]) -> bytes:
    """A valid PDF whose page i shows the lines ``pages[i]`` (Helvetica, one text line each)."""
    objects: list[bytes] = []
    page_ids = []
    font_id = 3
    next_id = 4
    for _ in pages:
        page_ids.append(next_id)
        next_id += 2
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for page_id, lines in zip(page_ids, pages):
        content = (
            "BT /F1 11 Tf 14 TL 50 780 Td "
            + " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines)
            + " ET"
        )
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 {font_id} 0 R >> >> "
            f"/Contents {page_id + 1} 0 R >>".encode()
        )
        stream = content.encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def make_docx(build) -> bytes:  # type: ignore[no-untyped-def]
    """``build(document)`` adds content to a fresh python-docx Document."""
    import docx

    document = docx.Document()
    build(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip_bomb_docx(expanded_mb: int = 400) -> bytes:
    """A real DOCX plus one part of zeros that deflates ~1000:1."""
    base = make_docx(lambda d: d.add_paragraph("innocent looking"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        with target.open("word/media/bomb.bin", "w", force_zip64=True) as bomb:
            block = b"\0" * (1024 * 1024)
            for _ in range(expanded_mb):
                bomb.write(block)
    return buffer.getvalue()
