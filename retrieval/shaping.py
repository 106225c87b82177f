"""Result shaping after fusion: near-duplicate removal, a cap per document and MMR diversity.

Similarity is measured on character 4-gram shingles of normalised text, which works the same for
Chinese and English and needs no vectors.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


class HasText(Protocol):
    text: str
    document_id: str
    score: float


Hit = TypeVar("Hit", bound=HasText)


def shingles(text: str, size: int = 4) -> frozenset[str]:
    normalised = _NON_WORD.sub("", text.lower())
    if len(normalised) <= size:
        return frozenset({normalised}) if normalised else frozenset()
    return frozenset(normalised[i : i + size] for i in range(len(normalised) - size + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Containment of the smaller in the larger: 1.0 when one text repeats the other."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def drop_near_duplicates(hits: Sequence[Hit], threshold: float = 0.85) -> list[Hit]:
    """Keep the best-ranked of chunks that repeat one another (boilerplate, copies, large overlaps).
    Ordinary overlap windows share far less than ``threshold`` and both stay."""
    kept: list[Hit] = []
    kept_shingles: list[frozenset[str]] = []
    for hit in hits:
        current = shingles(hit.text)
        if any(similarity(current, other) >= threshold for other in kept_shingles):
            continue
        kept.append(hit)
        kept_shingles.append(current)
    return kept


def select(
    hits: Sequence[Hit], k: int, *, max_per_document: int | None, dedupe: bool, threshold: float = 0.85
) -> list[Hit]:
    """One pass in rank order: skip hits over the per-document cap or repeating a kept hit, and stop
    once ``k`` are kept, so only the hits that matter are compared. Same result as
    ``drop_near_duplicates`` → ``cap_per_document`` → ``[:k]``, except that a hit skipped by the cap
    (never shown) does not suppress its near-duplicates from other documents."""
    kept: list[Hit] = []
    kept_shingles: list[frozenset[str]] = []
    counts: dict[str, int] = {}
    for hit in hits:
        if len(kept) == k:
            break
        if max_per_document and counts.get(hit.document_id, 0) >= max_per_document:
            continue
        if dedupe:
            current = shingles(hit.text)
            if any(similarity(current, other) >= threshold for other in kept_shingles):
                continue
            kept_shingles.append(current)
        kept.append(hit)
        counts[hit.document_id] = counts.get(hit.document_id, 0) + 1
    return kept


def cap_per_document(hits: Sequence[Hit], limit: int) -> list[Hit]:
    counts: dict[str, int] = {}
    kept = []
    for hit in hits:
        if counts.get(hit.document_id, 0) < limit:
            kept.append(hit)
            counts[hit.document_id] = counts.get(hit.document_id, 0) + 1
    return kept


def mmr(hits: Sequence[Hit], k: int, lambda_: float = 0.7) -> list[Hit]:
    """Maximal marginal relevance: trade relevance (rank-normalised score) against redundancy."""
    if not hits:
        return []
    top, bottom = max(h.score for h in hits), min(h.score for h in hits)
    spread = (top - bottom) or 1.0
    relevance = [(h.score - bottom) / spread for h in hits]
    sets = [shingles(h.text) for h in hits]
    chosen: list[int] = []
    remaining = list(range(len(hits)))
    while remaining and len(chosen) < k:
        best = max(
            remaining,
            key=lambda i: (
                lambda_ * relevance[i]
                - (1 - lambda_) * max((similarity(sets[i], sets[j]) for j in chosen), default=0.0)
            ),
        )
        chosen.append(best)
        remaining.remove(best)
    return [hits[i] for i in chosen]
