"""``POST /v1/vector_stores/{id}/search``: one vector store searched for one or several queries, the
results in OpenAI's shape (a file, its attributes, a 0..1 score and the chunk's text).

Scores are the fused hybrid score normalised to 0..1 (``retrieval.scope.normalized_score``: DBSF's
sum of two 0..1 scores halved, or RRF's scaled so the best rank in every list is 1; a reranker's
score clipped), so ``score_threshold`` means the same thing here and in the ``file_search`` tool.
Several queries are each searched; a chunk found by more than one keeps its best score.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from core.metadata.openai_ids import collection_id_of, file_refs
from core.types import Principal
from core.vectorstore.attribute_filter import AttributeCondition
from retrieval.scope import normalized_score
from retrieval.search import SearchHit
from retrieval.service import RetrievalService

DEFAULT_MAX_RESULTS = 10
Ranker = Literal["none", "auto", "default-2024-11-15"]


@dataclass(frozen=True, slots=True)
class VectorStoreHit:
    file_id: str
    filename: str
    score: float
    attributes: dict[str, Any] | None
    text: str


def search_vector_store(
    service: RetrievalService,
    principal: Principal,
    vector_store_id: str,
    queries: list[str],
    *,
    max_num_results: int = DEFAULT_MAX_RESULTS,
    attributes: AttributeCondition | None = None,
    score_threshold: float = 0.0,
    ranker: Ranker = "auto",
) -> list[VectorStoreHit]:
    """:raises NotFound: the store does not exist or the caller may not read it (the same answer)."""
    collection_id = collection_id_of(vector_store_id) or vector_store_id  # an id that names nothing: 404
    options = service.options(top_k=max_num_results)
    if ranker == "none":
        options = replace(options, rerank=False)
    best: dict[str, tuple[float, SearchHit]] = {}
    for query in queries:
        hits = service.search(principal, query, options=options, collection_ids=[collection_id], attributes=attributes)
        for hit in hits:
            score = normalized_score(hit.score, options)
            if score >= score_threshold and (hit.chunk_id not in best or best[hit.chunk_id][0] < score):
                best[hit.chunk_id] = (score, hit)
    ranked = sorted(best.values(), key=lambda pair: -pair[0])[:max_num_results]
    with service.db.session() as session:
        refs = file_refs(session, {hit.document_id for _, hit in ranked})
    return [
        VectorStoreHit(
            file_id=refs[hit.document_id].file_id,
            filename=refs[hit.document_id].filename,
            score=round(score, 6),
            attributes=hit.attributes,
            text=hit.text,
        )
        for score, hit in ranked
        if hit.document_id in refs  # a document deleted between search and lookup is left out
    ]
