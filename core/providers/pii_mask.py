"""Same-length masking of PII in document text, so character offsets stay valid.

Everything a caller sees that comes from a document (search results, ``/v1/context`` sources, the
sentences an answer quotes and its citations' ``quote``, the document text a citation highlights,
the context an LLM is prompted with) is masked with ``•``, one per character, so ``start``/``end``
offsets into the extracted text still point at the same place in the masked text. Spaces and
hyphens inside a number stay, so its shape remains readable. In a document both ``block`` and
``redact`` mask (a document cannot be refused the way a message is); ``allow`` shows the value.

Numbers, e-mails and IPs are found by pattern (``core.providers.pii``); names and addresses need
Baidu LAC, which costs ~0.05 ms per character, so it only reads the sentences that can hold what
the policy hides: all Chinese sentences when names are hidden, otherwise only those with a
street-level hint (路, 街, 号, 室, ...). Results are cached by text: chunks repeat across queries.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.providers.pii import PiiMatch, Policy, find_pii
from core.providers.pii_names import find_names_and_addresses
from core.text import sentence_spans

MASK = "•"
_KEEP = frozenset(" -\u3000\t\n")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ADDRESS_HINT = re.compile(r"[路街巷弄道村]|\d\s*[号室楼栋幢层]|[号室栋幢]$|小区|大厦|公寓|广场")


def document_pii(text: str, policy: dict[str, Policy]) -> list[PiiMatch]:
    """PII in a document's text, reading names and addresses only where the policy hides them."""
    found = find_pii(text, names=False)
    hide_names = policy.get("person_name", "allow") != "allow"
    hide_addresses = policy.get("address", "allow") != "allow"
    if not (hide_names or hide_addresses) or not _CJK.search(text):
        return found
    taken = [(m.start, m.end) for m in found]
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        if not _CJK.search(sentence) or (not hide_names and not _ADDRESS_HINT.search(sentence)):
            continue
        for kind, a, b in find_names_and_addresses(sentence):
            a, b = a + start, b + start
            if not any(a < t_end and t_start < b for t_start, t_end in taken):
                found.append(PiiMatch(kind, a, b))
    return sorted(found, key=lambda m: m.start)


def mask(text: str, matches: list[PiiMatch], policy: dict[str, Policy]) -> str:
    chars = list(text)
    for match in matches:
        if policy.get(match.type, "allow") != "allow":
            for index in range(match.start, match.end):
                if chars[index] not in _KEEP:
                    chars[index] = MASK
    return "".join(chars)


@lru_cache(maxsize=4096)
def _masked(text: str, policy: tuple[tuple[str, Policy], ...]) -> str:
    rules = dict(policy)
    return mask(text, document_pii(text, rules), rules)


def mask_pii(text: str, policy: dict[str, Policy]) -> str:
    """``text`` with every PII value the policy does not allow masked, same length."""
    if not text or all(action == "allow" for action in policy.values()):
        return text
    return _masked(text, tuple(sorted(policy.items())))
