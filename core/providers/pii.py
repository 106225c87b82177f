"""PII detection with validation (checksums where the format has one) and a policy per type.

Numbers are matched on a normalised copy of the text (full-width digits and letters folded,
zero-width characters dropped) and the spans are mapped back, so offsets always point into the
original text. Context decides the ambiguous cases: a Luhn-valid number is a bank card only next
to card words or with a card issuer's prefix, and never when labelled as an invoice or order
number; an order or invoice number is not a phone number either. Chinese names and street
addresses come from Baidu LAC (``core/providers/pii_names.py``).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from core.providers.pii_names import find_names_and_addresses

Policy = Literal["block", "redact", "allow"]
PII_TYPES = ("cn_id", "bank_card", "cn_mobile", "phone", "email", "ip", "person_name", "address")
DEFAULT_POLICY: dict[str, Policy] = {
    "cn_id": "redact",
    "bank_card": "redact",
    "cn_mobile": "redact",
    "phone": "redact",
    "email": "allow",
    "ip": "allow",
    "person_name": "allow",
    "address": "redact",
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_SEP = r"[ \-]?"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("cn_id", re.compile(rf"(?<![0-9A-Za-z])[1-9](?:{_SEP}\d){{16}}{_SEP}[0-9Xx](?![0-9A-Za-z])")),
    ("bank_card", re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")),
    ("cn_mobile", re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")),
    ("email", re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")),
    (
        "ip",
        re.compile(
            r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])|(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])"
        ),
    ),
    (
        "phone",
        re.compile(
            r"(?<![\d+])(?:\+\d{1,3}[ -]?)?(?:\(\d{2,4}\)[ -]?|0\d{2,3}[ -])\d{3,4}[ -]?\d{4}(?!\d)|(?<![\d+])\+\d{1,3}[ -]\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}(?!\d)"
        ),
    ),
]
_CARD_WORDS = re.compile(
    r"卡号|银行卡|信用卡|借记卡|储蓄卡|贷记卡|工资卡|card|visa|master ?card|unionpay|银联|amex|账户|帐户|account", re.I
)
_NOT_CARD_OR_PHONE = re.compile(
    r"发票|订单|单号|流水号|编号|合同号|工单|快递|运单|序列号|批次|invoice|order|ticket|tracking|serial|ref(?:erence)?\b|no\.|#",
    re.I,
)
_CONTEXT_CHARS = 16


@dataclass(frozen=True)
class PiiMatch:
    type: str
    start: int
    end: int


def valid_cn_id(value: str) -> bool:
    digits = re.sub(r"[ \-]", "", value).upper()
    if len(digits) != 18 or not digits[:17].isdigit():
        return False
    month, day = int(digits[10:12]), int(digits[12:14])
    if not (digits[6:8] in ("19", "20") and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS))
    return _ID_CHECK[total % 11] == digits[17]


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    if not 13 <= len(digits) <= 19:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def _issuer_prefix(digits: str) -> bool:
    """UnionPay 62 (16-19 digits), Visa 4 (13/16/19), Mastercard 51-55 and 2221-2720 (16), Amex 34/37 (15), JCB 35 (16)."""
    length = len(digits)
    return (
        (digits.startswith("62") and 16 <= length <= 19)
        or (digits.startswith("4") and length in (13, 16, 19))
        or ((51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720) and length == 16)
        or (digits[:2] in ("34", "37") and length == 15)
        or (digits.startswith("35") and length == 16)
    )


def _valid(kind: str, value: str, before: str) -> bool:
    if kind == "cn_id":
        return valid_cn_id(value)
    if kind == "bank_card":
        digits = re.sub(r"\D", "", value)
        if not luhn_ok(digits) or _NOT_CARD_OR_PHONE.search(before):
            return False
        return bool(_CARD_WORDS.search(before)) or _issuer_prefix(digits)
    if kind in ("cn_mobile", "phone"):
        return not _NOT_CARD_OR_PHONE.search(before)
    if kind == "ip" and "." in value:
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
    return True


# NFKC leaves ASCII and the CJK unified ideographs as they are, and none of them is invisible (Cf):
# runs of them are copied whole, so a chunk costs per character only its full-width forms
_STABLE_RUN = re.compile(r"[\x00-\x7f\u4e00-\u9fff]+")


def _normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """Full-width forms folded one character at a time, invisible characters dropped; ``origin[i]``
    is the index in ``text`` of normalised character ``i``."""
    chars: list[str] = []
    origin: list[int] = []
    position = 0
    for run in _STABLE_RUN.finditer(text):
        _fold_each(text, position, run.start(), chars, origin)
        chars.append(run.group())
        origin.extend(range(run.start(), run.end()))
        position = run.end()
    _fold_each(text, position, len(text), chars, origin)
    return "".join(chars), origin


def _fold_each(text: str, start: int, end: int, chars: list[str], origin: list[int]) -> None:
    for index in range(start, end):
        char = text[index]
        if unicodedata.category(char) == "Cf":
            continue
        folded = unicodedata.normalize("NFKC", char)
        chars.append(folded if len(folded) == 1 else char)
        origin.append(index)


def find_pii(text: str, *, names: bool = True) -> list[PiiMatch]:
    """Non-overlapping matches, offsets into ``text``; earlier (more specific) types win an overlap.
    ``names=False`` skips the Chinese name and address tagger (numbers and addresses by pattern only)."""
    normalized, origin = _normalized_with_offsets(text)
    found: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(normalized):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            before = normalized[max(0, start - _CONTEXT_CHARS) : start]
            if _valid(kind, match.group(), before):
                found.append(PiiMatch(kind, origin[start], origin[end - 1] + 1))
                taken.append((start, end))
    if names:
        spans = [(m.start, m.end) for m in found]
        for kind, start, end in find_names_and_addresses(text):
            if not any(start < t_end and t_start < end for t_start, t_end in spans):
                found.append(PiiMatch(kind, start, end))
    return sorted(found, key=lambda m: m.start)


def redact(text: str, matches: list[PiiMatch], policy: dict[str, Policy]) -> str:
    for match in sorted(matches, key=lambda m: m.start, reverse=True):
        if policy.get(match.type, "allow") == "redact":
            text = text[: match.start] + f"[{match.type.upper()} REDACTED]" + text[match.end :]
    return text


def parse_policy(spec: str) -> dict[str, Policy]:
    """``"cn_id=block,email=redact"`` on top of the defaults."""
    policy = dict(DEFAULT_POLICY)
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, _, action = part.partition("=")
        if kind not in PII_TYPES or action not in ("block", "redact", "allow"):
            raise ValueError(
                f"bad PII policy entry {part!r}; use TYPE=block|redact|allow with TYPE in {', '.join(PII_TYPES)}"
            )
        policy[kind] = action  # type: ignore[assignment]
    return policy
