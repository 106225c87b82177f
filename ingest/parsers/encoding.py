"""Decode text files without ever silently corrupting them.

Order: byte-order marks; UTF-32/UTF-16 without BOM recognised by where the NUL bytes sit; UTF-8,
tolerating a few damaged spots (with a warning); then charset-normalizer chooses among GB18030, Big5,
cp949/EUC-KR, cp932/Shift_JIS, EUC-JP, cp1251, cp1252 and NUL-free UTF-16 (pure CJK text). A file that cannot be decoded with confidence raises
``ParseError`` with a reason; binary data raises ``UnsupportedMediaType``.

Very short legacy-encoded texts are genuinely ambiguous (``你好`` in GB18030 is also valid Big5,
EUC-KR and EUC-JP): when the best two readings differ and score alike, the file fails with a request
to save it as UTF-8 instead of guessing. In practice this concerns texts of fewer than ~20 CJK
characters; a paragraph is always long enough.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

from core.errors import ParseError, UnsupportedMediaType

# UTF-16 is a candidate too: without a BOM and without ASCII (pure Chinese, say) it has no NUL bytes.
CANDIDATE_ENCODINGS = ["gb18030", "big5", "cp949", "cp932", "euc_jp", "cp1251", "cp1252", "utf_16_le", "utf_16_be"]
# Damaged spots (runs of invalid bytes, e.g. one cut character) tolerated: at most this many and at
# most one per 1,000 bytes, but always one (a file cut in the middle of its last character).
MAX_DAMAGED_SPOTS = 8
_SAMPLE = 65536
_ESCAPED = re.compile("[\udc80-\udcff]+")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\v\x1b")


@dataclass
class DecodedText:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def decode(data: bytes) -> DecodedText:
    """:raises ParseError: not decodable with confidence. :raises UnsupportedMediaType: binary data."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return _checked(_tolerant(data[len(bom) :], encoding))
    wide = _wide_by_nul_pattern(data[:_SAMPLE])
    if wide:
        return _checked(_tolerant(data, wide))
    utf8 = _as_utf8(data)
    if utf8 is not None:
        return _checked(utf8)
    try:
        return _checked(_legacy(data))
    except ParseError:
        sample = data[:_SAMPLE]
        if sample.count(0) or sum(sample.count(b) for b in _CONTROL_BYTES) > len(sample) * 0.05:
            raise UnsupportedMediaType("unsupported file type: binary data, not text") from None
        raise


def _allowed_damage(size: int) -> int:
    return min(MAX_DAMAGED_SPOTS, max(1, size // 1000))


def _name(encoding: str) -> str:
    return encoding.upper().replace("_", "-")


def _damage_warning(spots: int, encoding: str) -> str:
    return f"{spots} damaged spot(s) in this {_name(encoding)} file were replaced by \ufffd"


def _too_damaged(spots: int, size: int, encoding: str) -> ParseError:
    return ParseError(
        f"the file looks like {_name(encoding)} text but has {spots} spots of invalid bytes in {size:,} "
        "bytes (damaged, or several encodings mixed); save it again as UTF-8"
    )


def _tolerant(data: bytes, encoding: str) -> DecodedText:
    """Decode ``encoding``, replacing at most a few damaged bytes (each run by one U+FFFD)."""
    parts: list[str] = []
    bad = position = 0
    limit = _allowed_damage(len(data))
    while True:
        try:
            parts.append(data[position:].decode(encoding))
            break
        except UnicodeDecodeError as error:
            parts.append(data[position : position + error.start].decode(encoding) + "\ufffd")
            bad += 1
            position += error.end
            if bad > limit:
                raise _too_damaged(bad, len(data), encoding) from None
    decoded = DecodedText("".join(parts), encoding)
    if bad:
        decoded.warnings.append(_damage_warning(bad, encoding))
    return decoded


def _wide_by_nul_pattern(sample: bytes) -> str | None:
    """UTF-32: every 4-byte unit is ``xx xx 0[0-10] 00`` (LE). UTF-16: ASCII characters leave their
    NUL byte on one side; Latin or mixed CJK/ASCII text has many of them, all on the same side."""
    if len(sample) >= 8 and len(sample) % 4 == 0:
        units = [sample[i : i + 4] for i in range(0, len(sample) - len(sample) % 4, 4)]
        if all(u[3] == 0 and u[2] <= 0x10 for u in units):
            return "utf-32-le"
        if all(u[0] == 0 and u[1] <= 0x10 for u in units):
            return "utf-32-be"
    zeros_even, zeros_odd = sample[0::2].count(0), sample[1::2].count(0)
    if zeros_odd + zeros_even >= max(2, len(sample) // 50):
        if zeros_odd >= 10 * max(zeros_even, 1) // 2 and zeros_odd > zeros_even:
            return "utf-16-le"
        if zeros_even >= 10 * max(zeros_odd, 1) // 2 and zeros_even > zeros_odd:
            return "utf-16-be"
    return None


def _as_utf8(data: bytes) -> DecodedText | None:
    """UTF-8, or UTF-8 with a few damaged bytes (warned). ``None``: not UTF-8 at all.

    :raises ParseError: mostly UTF-8 but too damaged to trust.
    """
    text = data.decode("utf-8", errors="surrogateescape")
    escaped = _ESCAPED.findall(text)
    if not escaped:
        return DecodedText(text.removeprefix("\ufeff"), "utf-8")
    bad = len(escaped)
    bad_bytes = sum(len(run) for run in escaped)
    multibyte = sum(1 for ch in text if ord(ch) >= 0x80) - bad_bytes
    if multibyte == 0 or multibyte < bad_bytes:  # legacy 8-bit text: valid UTF-8 there is coincidence
        return None
    if bad > _allowed_damage(len(data)):
        raise _too_damaged(bad, len(data), "utf-8")
    return DecodedText(_ESCAPED.sub("\ufffd", text), "utf-8", [_damage_warning(bad, "utf-8")])


def _legacy(data: bytes) -> DecodedText:
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data, cp_isolation=CANDIDATE_ENCODINGS))
    if not matches:
        raise ParseError(
            "the text encoding of this file could not be recognised (not UTF-8, UTF-16/32, GB18030, "
            "Big5, EUC-KR, Shift_JIS or Windows-1252); save it again as UTF-8"
        )
    best = matches[0]
    text = str(best)
    for other in matches[1:]:
        alike = other.chaos - best.chaos < 0.02 and abs(other.coherence - best.coherence) < 0.05
        if alike and str(other) != text:
            raise ParseError(
                f"the text is too short to tell its encoding with confidence ({best.encoding} or "
                f"{other.encoding}?); save it again as UTF-8"
            )
    return _tolerant(data, best.encoding)


def _checked(decoded: DecodedText) -> DecodedText:
    sample = decoded.text[:4096]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    if sample and controls > len(sample) * 0.05:
        raise UnsupportedMediaType("unsupported file type: binary data, not text")
    decoded.text = decoded.text.replace("\x00", "")
    return decoded
