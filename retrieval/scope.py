"""A search scope a caller names explicitly (OpenAI's ``file_search`` tool): a set of collections,
how many results, the dense/lexical weights, a score floor and an attribute filter.

The attribute filter is OpenAI's ComparisonFilter/CompoundFilter JSON. ``apply_attribute_filter`` is
the one seam through which it reaches the search: today it keeps the hits whose chunk attributes
match (evaluated in memory, over an enlarged candidate pool); the Qdrant translation in
``retrieval/filters.py`` replaces it there without changing any caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from retrieval.search import SearchHit, SearchOptions

FILTERED_OVERFETCH = 5  # candidates per wanted result while the filter is applied after the query
RRF_K = 60  # the store's default; the best rank in every list scores sum(weights) / (RRF_K + 1)


@dataclass(frozen=True)
class SearchScope:
    collection_ids: tuple[str, ...]
    max_results: int | None = None
    weights: tuple[float, float] | None = None  # dense, lexical: OpenAI's hybrid_search, fused by RRF
    score_threshold: float = 0.0  # on scores normalised to 0..1
    filters: Mapping[str, Any] | None = None

    def top_k(self, default: int) -> int:
        wanted = self.max_results or default
        return wanted * FILTERED_OVERFETCH if self.filters else wanted

    def options(self, base: SearchOptions, default_top_k: int) -> SearchOptions:
        """``base`` with this scope's result count and, when it sets weights, weighted RRF (the
        fusion OpenAI's hybrid_search weights; DBSF takes no weights)."""
        options = replace(base, top_k=self.top_k(default_top_k))
        return replace(options, weights=self.weights, fusion="rrf") if self.weights else options

    def narrow(self, hits: list[SearchHit], options: SearchOptions, default: int) -> list[SearchHit]:
        """The hits that pass the filter and the score floor, at most ``max_results`` of them (each
        kept hit's neighbour chunks stay with it)."""
        wanted = self.max_results or default
        kept: list[SearchHit] = []
        kept_ids: set[str] = set()
        primaries = 0
        for hit in hits:
            if hit.neighbor_of is not None:
                if hit.neighbor_of in kept_ids:
                    kept.append(hit)
                continue
            if primaries == wanted or normalized_score(hit.score, options) < self.score_threshold:
                continue
            if self.filters and not apply_attribute_filter(hit.attributes, self.filters):
                continue
            kept.append(hit)
            kept_ids.add(hit.chunk_id)
            primaries += 1
        return kept


def normalized_score(score: float, options: SearchOptions) -> float:
    """A fused score on 0..1: DBSF sums one 0..1 score per query kind, RRF gives the best rank in every
    list ``sum(weights) / (k + 1)``; a reranker's score is clipped."""
    if options.rerank or options.mode != "hybrid":
        value = score
    elif options.fusion == "dbsf":
        value = score / 2
    else:
        value = score * (RRF_K + 1) / max(sum(options.weights), 1e-9)
    return min(1.0, max(0.0, value))


def apply_attribute_filter(attributes: Mapping[str, Any] | None, flt: Mapping[str, Any]) -> bool:
    """Whether a chunk with ``attributes`` passes OpenAI's filter (already validated in shape).
    A missing key fails every comparison except ``ne`` and ``nin``, as a Qdrant must-not would."""
    kind = flt["type"]
    if kind in ("and", "or"):
        results = (apply_attribute_filter(attributes, inner) for inner in flt["filters"])
        return all(results) if kind == "and" else any(results)
    value, present = (attributes or {}).get(flt["key"]), flt["key"] in (attributes or {})
    target = flt["value"]
    if kind in ("in", "nin"):
        inside = present and isinstance(target, Sequence) and value in target
        return inside if kind == "in" else not inside
    if kind in ("eq", "ne"):
        equal = present and _same_kind(value, target) and value == target
        return equal if kind == "eq" else not equal
    if not present or not _same_kind(value, target) or isinstance(value, bool):
        return False
    return {"gt": value > target, "gte": value >= target, "lt": value < target, "lte": value <= target}[kind]  # type: ignore[no-any-return]


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return True
    return type(a) is type(b)
