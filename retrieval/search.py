"""Hybrid search: dense (query embedding) and sparse lexical candidates fused inside one Qdrant
query, filtered by the caller's access inside that query, then shaped.

>>> hits = retriever.search("年假有几天？", scope, SearchOptions(top_k=5))
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from core.metadata.lexical_stats import LexicalStatistics
from core.providers.embeddings import Embedder
from core.providers.lexical import LexicalEncoder
from core.settings import Settings
from core.text import dominant_script
from core.vectorstore import StoredHit, VectorStore
from ingest.multilingual import SentenceEncoding
from retrieval.access import AccessScope
from retrieval.rerank import HttpReranker
from retrieval.shaping import cap_per_document, drop_near_duplicates, mmr, select
from retrieval.translation import QueryTranslator

log = logging.getLogger(__name__)
Mode = Literal["hybrid", "dense", "lexical"]


@dataclass(frozen=True)
class SearchOptions:
    top_k: int = 8
    mode: Mode = "hybrid"
    fusion: Literal["rrf", "dbsf"] = "dbsf"
    candidates: int = 60
    weights: tuple[float, float] = (1.0, 1.0)  # dense, lexical
    multilingual_weight: float = 1.0  # the cross-lingual prefetch in hybrid mode; 0 leaves it out
    cross_lingual_weight: float = 1.5  # the same over chunks in another script than the question; 0 = off
    # an English question's CC-CEDICT translations among its BM25 terms; 0 = off. bench.mixed_language, XQuAD
    # split by article, nDCG@10 en→zh / en→en: 0 0.920 / 0.977, 0.5 0.938 / 0.974, 1 0.938 / 0.965
    translation_weight: float = 0.5
    max_per_document: int | None = 3
    dedupe: bool = True
    neighbors: int = 0  # add this many chunks before and after each hit (for context)
    mmr_lambda: float | None = None  # e.g. 0.7 turns MMR diversity on
    rerank: bool = False

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> SearchOptions:
        base = cls(
            fusion=settings.search_fusion,
            candidates=settings.search_candidates,
            weights=(settings.search_dense_weight, settings.search_lexical_weight),
            multilingual_weight=settings.search_multilingual_weight,
            cross_lingual_weight=settings.search_cross_lingual_weight,
            translation_weight=settings.search_translation_weight,
            max_per_document=settings.search_max_per_document,
            rerank=bool(settings.reranker_url),
        )
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})


@dataclass
class SearchHit:
    chunk_id: str
    document_id: str
    collection: str
    title: str
    source: str
    page: int | None
    pages: list[int]
    heading: str
    text: str
    score: float
    chunk_index: int
    version: int
    char_start: int
    char_end: int
    neighbor_of: str | None = None  # set on chunks added by neighbour expansion
    page_starts: list[tuple[int, int]] = field(default_factory=list)
    attributes: dict[str, Any] | None = None  # an OpenAI file's attributes, stored on its chunks

    def page_at(self, offset: int) -> int | None:
        """The page on which the document offset ``offset`` (inside this chunk) lies."""
        page = self.page
        for start, number in self.page_starts:
            if start <= offset:
                page = number
        return page

    @classmethod
    def from_stored(cls, hit: StoredHit, scope: AccessScope) -> SearchHit:
        p = hit.payload
        return cls(
            chunk_id=hit.id,
            document_id=p["document_id"],
            collection=scope.collection_names.get(p["collection_id"], ""),
            title=p.get("title", ""),
            source=p.get("source", ""),
            page=p.get("page"),
            pages=list(p.get("pages") or []),
            heading=p.get("heading", ""),
            text=p.get("text", ""),
            score=hit.score,
            chunk_index=int(p.get("chunk_index", 0)),
            version=int(p.get("version", 1)),
            char_start=int(p.get("char_start", 0)),
            char_end=int(p.get("char_end", 0)),
            page_starts=[(int(a), int(b)) for a, b in p.get("page_starts") or []],
            attributes=p.get("attributes"),
        )


@dataclass
class SearchTimings:
    embed_ms: float = 0.0
    store_ms: float = 0.0
    shaping_ms: float = 0.0


class Retriever:
    def __init__(
        self,
        *,
        embedder: Embedder,
        lexical: LexicalEncoder,
        store: VectorStore,
        statistics: LexicalStatistics | None,
        reranker: HttpReranker | None = None,
        multilingual: SentenceEncoding | None = None,
        translator: QueryTranslator | None = None,
    ) -> None:
        """``statistics`` None: lexical queries without IDF (every term weighs 1; for tests).
        ``multilingual``: the sentence encoder for the store's cross-lingual vector, if it keeps one."""
        self.embedder, self.lexical, self.store, self.reranker = embedder, lexical, store, reranker
        self.statistics = statistics
        self.translator = translator  # an English question's words in Chinese, for BM25 (needs ``statistics``)
        self.multilingual = multilingual if store.multilingual_dim else None

    def search(
        self,
        query: str,
        scope: AccessScope,
        options: SearchOptions = SearchOptions(),
        timings: SearchTimings | None = None,
    ) -> list[SearchHit]:
        timings = timings if timings is not None else SearchTimings()
        query = query.strip()
        if not query or not scope.collection_names:
            return []
        started = time.perf_counter()
        dense = self.embedder.embed_query(query) if options.mode in ("hybrid", "dense") else None
        sparse = self.lexical.encode_query(query) if options.mode in ("hybrid", "lexical") else None
        if sparse is not None and self.statistics is not None:
            collections = sorted(scope.collection_names)
            translator = self.translator if options.translation_weight > 0 else None
            translations = translator.candidate_terms(query) if translator is not None else []
            # one statistics query: the question's terms and the translations it may gain, counted over
            # the caller's collections only (scores never depend on what they cannot read)
            counts = self.statistics.counts(sorted({*sparse.indices, *translations}), collections)
            if translator is not None and translations:
                # only translations the caller's own chunks use: nothing depends on what they cannot read
                sparse = translator.expand(query, sparse, counts.containing, options.translation_weight)
            sparse = counts.weigh(sparse)
        multilingual = (
            self.multilingual.encode([query])[0]
            if self.multilingual is not None and options.mode == "hybrid" and options.multilingual_weight > 0
            else None
        )
        timings.embed_ms = (time.perf_counter() - started) * 1000

        # Over-fetch so that de-duplication and the per-document cap still leave top_k results.
        limit = min(max(options.top_k * 3, options.top_k + 10), max(options.candidates, options.top_k))
        started = time.perf_counter()
        stored = self.store.query(
            dense=dense,
            sparse=sparse,
            where=scope.store_filter(),
            limit=limit,
            candidates=max(options.candidates, limit),
            fusion=options.fusion,
            weights=options.weights,
            multilingual=multilingual,
            multilingual_weight=options.multilingual_weight,
            # The question's script, for the prefetch over passages in other scripts.
            query_script=dominant_script(query) if multilingual is not None else None,
            # tuned for DBSF, where each list is normalised; under RRF a chunk of the cross-lingual list
            # would count its rank twice and outrank a same-language exact match (weighted hybrid search)
            cross_lingual_weight=options.cross_lingual_weight if options.fusion == "dbsf" else 0.0,
        )
        timings.store_ms = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        # Ties (common with rank fusion) are broken by chunk id, so equal queries give equal answers.
        hits = sorted((SearchHit.from_stored(h, scope) for h in stored), key=lambda h: (-h.score, h.chunk_id))
        if options.rerank and self.reranker is not None and hits:
            hits = self._rerank(query, hits)
        if options.mmr_lambda is not None:
            if options.dedupe:
                hits = drop_near_duplicates(hits)
            if options.max_per_document:
                hits = cap_per_document(hits, options.max_per_document)
            hits = mmr(hits, options.top_k, options.mmr_lambda)
        else:
            hits = select(hits, options.top_k, max_per_document=options.max_per_document, dedupe=options.dedupe)
        if options.neighbors:
            hits = self._with_neighbors(hits, scope, options.neighbors)
        timings.shaping_ms = (time.perf_counter() - started) * 1000
        return hits

    def _rerank(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        if self.reranker is None:
            return hits
        try:
            scores = self.reranker.rerank(query, [h.text for h in hits])
        except Exception:
            log.warning("reranker unavailable; keeping fused order", exc_info=True)
            return hits
        for hit, score in zip(hits, scores):
            hit.score = score
        return sorted(hits, key=lambda h: h.score, reverse=True)

    def _with_neighbors(self, hits: list[SearchHit], scope: AccessScope, radius: int) -> list[SearchHit]:
        """Each hit followed by up to ``radius`` chunks on either side (same document version),
        fetched with the same access filter."""
        have = {(h.document_id, h.chunk_index) for h in hits}
        expanded: list[SearchHit] = []
        for hit in hits:
            wanted = [
                hit.chunk_index + offset
                for offset in range(-radius, radius + 1)
                if offset and hit.chunk_index + offset >= 0 and (hit.document_id, hit.chunk_index + offset) not in have
            ]
            neighbors = []
            if wanted:
                where = scope.store_filter(document_ids=[hit.document_id], chunk_indexes=wanted, version=hit.version)
                for stored in self.store.fetch(where, limit=len(wanted)):
                    neighbor = SearchHit.from_stored(stored, scope)
                    neighbor.score, neighbor.neighbor_of = hit.score, hit.chunk_id
                    neighbors.append(neighbor)
                    have.add((neighbor.document_id, neighbor.chunk_index))
            expanded.append(hit)
            expanded.extend(sorted(neighbors, key=lambda n: n.chunk_index))
        return expanded
