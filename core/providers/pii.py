"""PII detection with validation (checksums where the format has one) and a policy per type."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Literal

Policy = Literal["block", "redact", "allow"]
PII_TYPES = ("cn_id", "bank_card", "cn_mobile", "phone", "email", "ip")
DEFAULT_POLICY: dict[str, Policy] = {
    "cn_id": "redact",
    "bank_card": "redact",
    "cn_mobile": "redact",
    "phone": "redact",
    "email": "allow",
    "ip": "allow",
}
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "cn_id",
        re.compile(
            r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])"
        ),
    ),
    ("bank_card", re.compile(r"(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])")),
    ("cn_mobile", re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")),
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


@dataclass(frozen=True)
class PiiMatch:
    type: str
    start: int
    end: int


def valid_cn_id(value: str) -> bool:
    digits = value.upper()
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


def _valid(kind: str, text: str) -> bool:
    if kind == "cn_id":
        return valid_cn_id(text)
    if kind == "bank_card":
        return luhn_ok(text)
    if kind == "ip" and "." in text:
        try:
            ipaddress.ip_address(text)
        except ValueError:
            return False
    return True


def find_pii(text: str) -> list[PiiMatch]:
    """Non-overlapping matches; earlier (more specific) types win an overlap."""
    found: list[PiiMatch] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            if _valid(kind, match.group()):
                found.append(PiiMatch(kind, start, end))
                taken.append((start, end))
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
