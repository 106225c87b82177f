"""The vector-store protocol and the collection layout shared by both engines.

Layout: named dense vector ``dense`` (cosine), optional named dense vector ``multilingual`` (the
multilingual Universal Sentence Encoder, cosine, 512-d: it puts a question and its answer in another
language close together; stores made before it get it added at start and filled in by
``ingest.multilingual.backfill_multilingual``, points without it are simply absent from that prefetch), named sparse vector ``lexical`` holding BM25 term
weights *without* Qdrant's IDF modifier (the query carries IDF computed over the caller's readable
collections, see ``core.metadata.lexical_stats``; stores made with the modifier are migrated at start),
keyword payload indexes on ``document_id``, ``collection_id``, ``read_groups`` and ``script`` (the
chunk's writing system, for the cross-lingual list of ``plan_query`` and for telling whether the
searched chunks mix scripts at all), integer index on ``version``.
One point per chunk; its id is derived from (document, version, chunk index), so re-running an
interrupted job overwrites instead of duplicating.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol

import numpy as np

from core.providers.lexical import SparseVector
from core.text import SCRIPTS
from core.vectorstore.attribute_filter import AttributeCondition, translate_attribute_filter

DENSE, LEXICAL, MULTILINGUAL = "dense", "lexical", "multilingual"
LEXICAL_MIGRATION = "lexical_migration"  # temporary copy while ``lexical`` is recreated without IDF
SCAN_FIELDS = ["document_id", "version", "collection_id"]
SCRIPT = "script"  # payload: the chunk's dominant writing system (core.text.dominant_script); absent in old stores
KEYWORD_INDEXES = ("document_id", "collection_id", "read_groups", SCRIPT)
INTEGER_INDEXES = ("version", "chunk_index")
Fusion = Literal["rrf", "dbsf"]
_POINT_NAMESPACE = uuid.UUID("6f1c3f0e-6a49-4f55-9d1a-4b1d5c3b7e21")


def point_id(document_id: str, version: int, chunk_index: int) -> str:
    return str(uuid.uuid5(_POINT_NAMESPACE, f"{document_id}:{version}:{chunk_index}"))


@dataclass
class ChunkRecord:
    id: str
    dense: np.ndarray
    sparse: SparseVector
    payload: dict[str, Any]
    multilingual: np.ndarray | None = None  # absent when the store has no multilingual vector


@dataclass(frozen=True)
class StoreFilter:
    """Conditions that all must hold. ``None`` means "no condition on this field"; an empty list
    matches nothing (a caller with no readable collection sees nothing)."""

    collection_ids: list[str] | None = None
    read_groups: list[str] | None = None
    document_ids: list[str] | None = None
    chunk_indexes: list[int] | None = None
    version: int | None = None
    exclude_version_of: tuple[str, int] | None = None  # (document_id, version): points of other versions
    attributes: AttributeCondition | None = None  # OpenAI's attribute filter, AND-ed with the rest
    scripts: list[str] | None = None  # the chunk's ``script`` is one of these (chunks without one never match)
    or_unknown_script: bool = False  # with ``scripts``: chunks without a ``script`` match too
    without_script: bool = False  # only chunks that have no ``script`` yet (the backfill)

    @property
    def matches_nothing(self) -> bool:
        return any(
            v is not None and len(v) == 0
            for v in (self.collection_ids, self.read_groups, self.document_ids, self.scripts)
        )


@dataclass
class StoredHit:
    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedPrefetch:
    """One stage of a fused query: which vector, the query vector, the points it may return, and its
    RRF weight (DBSF has none)."""

    using: str
    vector: np.ndarray | SparseVector
    where: StoreFilter
    weight: float


@dataclass(frozen=True)
class QueryPlan:
    """``stages`` are fused as always; ``cross_lingual``, when there, is normalised by the same fusion
    on its own and added times ``cross_lingual_weight`` (a Qdrant formula over the two lists)."""

    stages: list[PlannedPrefetch]
    cross_lingual: PlannedPrefetch | None = None
    cross_lingual_weight: float = 0.0


def plan_query(
    *,
    dense: np.ndarray | None,
    sparse: SparseVector | None,
    multilingual: np.ndarray | None,
    where: StoreFilter,
    weights: tuple[float, float] = (1.0, 1.0),
    multilingual_weight: float = 1.0,
    query_script: str | None = None,
    cross_lingual_weight: float = 1.5,
    any_chunk: Callable[[StoreFilter, int], bool] | None = None,
    limit: int = 1,
) -> QueryPlan:
    """The query both engines run. With the multilingual vector and the question's script known, the
    cross-lingual list: the multilingual vector again, over only the chunks written in another script.
    In a mixed collection e5 and BM25 rank passages in the question's own script first and outvote the
    multilingual stage; this list puts the best other-script passages at the top of a list of their
    own. A chunk in the question's script never gains from it.

    ``any_chunk`` (the engine's check that at least n chunks match a filter) tells whether any chunk
    within ``where`` may be in another script; when none is, the multilingual vector stays out
    altogether and the plan is exactly the one without it: it only helps across scripts and costs
    same-language ranking a little. Without ``any_chunk`` or a known script the multilingual stage
    stays (the safe side). The cross-lingual list is left out too when fewer chunks than a quarter of
    the ``limit`` results are in the question's script: they can take no more of the results, and
    over chunks nearly all in another script the list would only count the multilingual vector 2.5
    times over e5 and BM25 (an English question over Chinese articles and one English code chunk:
    e5 and BM25 ranked tenacity's chunk 1st and 2nd, the fusion 10th)."""
    stages = []
    if dense is not None:
        stages.append(PlannedPrefetch(DENSE, dense, where, weights[0]))
    if sparse is not None and sparse.indices:
        stages.append(PlannedPrefetch(LEXICAL, sparse, where, weights[1]))
    if multilingual is None or (
        query_script in SCRIPTS and any_chunk is not None and not any_chunk(other_script_filter(where, query_script), 1)
    ):
        return QueryPlan(stages)
    stages.append(PlannedPrefetch(MULTILINGUAL, multilingual, where, multilingual_weight))
    others = [script for script in (where.scripts or SCRIPTS) if script != query_script]
    if query_script not in SCRIPTS or cross_lingual_weight <= 0 or not others:
        return QueryPlan(stages)
    if any_chunk is not None and not any_chunk(same_script_filter(where, query_script), max(1, limit // 4)):
        return QueryPlan(stages)
    cross = PlannedPrefetch(MULTILINGUAL, multilingual, replace(where, scripts=others), 1.0)
    return QueryPlan(stages, cross, cross_lingual_weight)


def other_script_filter(where: StoreFilter, query_script: str) -> StoreFilter:
    """The chunks within ``where`` that may be in another script than ``query_script``: those in any
    other script, and those whose script is not known yet (stored before the ``script`` payload).
    Chunks without letters (``zyyy``: numbers, symbols) read alike in every language and do not count.
    Asked positively, so Qdrant walks the index entries of the other scripts, not the whole collection."""
    others = [script for script in (where.scripts or SCRIPTS) if script != query_script]
    return replace(where, scripts=others, or_unknown_script=where.scripts is None)


def same_script_filter(where: StoreFilter, query_script: str) -> StoreFilter:
    """The chunks within ``where`` that may be in ``query_script``: those in it and (when ``where``
    names no scripts) those whose script is not known yet."""
    scripts = [query_script] if where.scripts is None or query_script in where.scripts else []
    return replace(where, scripts=scripts, or_unknown_script=where.scripts is None)


def translate_filter(where: StoreFilter, models: Any) -> Any | None:
    """``where`` as a Qdrant filter built from ``models`` (``qdrant_edge`` or ``qdrant_client.models``,
    whose FieldCondition/MatchAny/MatchValue/Filter take the same arguments)."""
    must: list[Any] = []
    must_not: list[Any] = []
    for key, values in (
        ("collection_id", where.collection_ids),
        ("read_groups", where.read_groups),
        ("document_id", where.document_ids),
        ("chunk_index", where.chunk_indexes),
    ):
        if values is not None:
            must.append(models.FieldCondition(key=key, match=models.MatchAny(any=list(values))))
    if where.scripts is not None:
        in_scripts = models.FieldCondition(key=SCRIPT, match=models.MatchAny(any=list(where.scripts)))
        if where.or_unknown_script:
            unknown = models.FieldCondition(key=SCRIPT, is_empty=True)
            must.append(models.Filter(should=[in_scripts, unknown]))
        else:
            must.append(in_scripts)
    if where.version is not None:
        must.append(models.FieldCondition(key="version", match=models.MatchValue(value=where.version)))
    if where.exclude_version_of is not None:
        document_id, version = where.exclude_version_of
        must.append(models.FieldCondition(key="document_id", match=models.MatchValue(value=document_id)))
        must_not.append(models.FieldCondition(key="version", match=models.MatchValue(value=version)))
    if where.without_script:
        must.append(models.FieldCondition(key=SCRIPT, is_empty=True))
    if where.attributes is not None:
        must.append(translate_attribute_filter(where.attributes, models))
    if not must and not must_not:
        return None
    return models.Filter(must=must or None, must_not=must_not or None)


class VectorStore(Protocol):
    def ensure_collection(self) -> None: ...

    def upsert(self, records: list[ChunkRecord]) -> None: ...

    def delete(self, where: StoreFilter) -> None: ...

    def query(
        self,
        *,
        dense: np.ndarray | None,
        sparse: SparseVector | None,
        where: StoreFilter,
        limit: int,
        candidates: int = 50,
        fusion: Fusion = "rrf",
        weights: tuple[float, float] = (1.0, 1.0),
        rrf_k: int = 60,
        multilingual: np.ndarray | None = None,
        multilingual_weight: float = 1.0,
        query_script: str | None = None,
        cross_lingual_weight: float = 1.5,
    ) -> list[StoredHit]:
        """Dense, sparse and/or multilingual search. With more than one, one query whose prefetches
        (``plan_query``) are fused by ``fusion``; the filter applies inside every stage, never after.
        ``query_script``: the question's writing system, for the cross-lingual list; where every chunk
        within ``where`` is in it, the multilingual vector is left out (a cached existence check)."""
        ...

    @property
    def multilingual_dim(self) -> int | None:
        """Size of the ``multilingual`` vector, None when the store keeps none."""
        ...

    def missing_multilingual(self, batch: int = 256) -> list[StoredHit]:
        """Up to ``batch`` points (with payload) that lack the ``multilingual`` vector."""
        ...

    def set_multilingual(self, vectors: dict[str, np.ndarray]) -> None:
        """Adds the ``multilingual`` vector to existing points (point id -> vector)."""
        ...

    def fetch(self, where: StoreFilter, limit: int = 1000) -> list[StoredHit]:
        """Points matching ``where`` (no ranking), with payload."""
        ...

    def count(self, where: StoreFilter) -> int: ...

    def scan_sparse(self, batch: int = 512) -> Iterator[tuple[dict[str, Any], list[int]]]:
        """Every point's ``document_id``/``version``/``collection_id`` and sparse term indices."""
        ...

    def set_payload(self, where: StoreFilter, payload: dict[str, Any]) -> None: ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...
