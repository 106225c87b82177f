"""A search scope a caller names explicitly (OpenAI's ``file_search`` tool): a set of collections,
how many results, the dense/lexical weights, a score floor and an attribute filter (applied inside
the vector-store query, see ``retrieval/filters.py``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from core.vectorstore.attribute_filter import AttributeCondition
from retrieval.search import SearchHit, SearchOptions

RRF_K = 60  # the store's default; the best rank in every list scores sum(weights) / (RRF_K + 1)


@dataclass(frozen=True)
class SearchScope:
    collection_ids: tuple[str, ...]
    max_results: int | None = None
    weights: tuple[float, float] | None = None  # dense, lexical: OpenAI's hybrid_search, fused by RRF
    score_threshold: float = 0.0  # on scores normalised to 0..1
    filters: AttributeCondition | None = None

    def top_k(self, default: int) -> int:
        return self.max_results or default

    def options(self, base: SearchOptions, default_top_k: int) -> SearchOptions:
        """``base`` with this scope's result count and, when it sets weights, weighted RRF (the
        fusion OpenAI's hybrid_search weights; DBSF takes no weights)."""
        options = replace(base, top_k=self.top_k(default_top_k))
        return replace(options, weights=self.weights, fusion="rrf") if self.weights else options

    def narrow(self, hits: list[SearchHit], options: SearchOptions, default: int) -> list[SearchHit]:
        """The hits that clear the score floor, at most ``max_results`` of them (each kept hit's
        neighbour chunks stay with it)."""
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
