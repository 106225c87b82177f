"""A Qdrant server through qdrant-client (also ``QdrantClient(":memory:")`` in tests)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from core.errors import ProviderError
from core.providers.lexical import SparseVector
from core.vectorstore.base import (
    DENSE,
    INTEGER_INDEXES,
    KEYWORD_INDEXES,
    LEXICAL,
    MULTILINGUAL,
    SCAN_FIELDS,
    SCRIPT,
    ChunkRecord,
    Fusion,
    PlannedPrefetch,
    StoredHit,
    StoreFilter,
    plan_query,
    translate_filter,
)
from core.vectorstore.presence import PresenceCache

log = logging.getLogger(__name__)
T = TypeVar("T")


def _filter(where: StoreFilter) -> qm.Filter | None:
    return translate_filter(where, qm)


def _vector(plan: PlannedPrefetch) -> Any:
    vector = plan.vector
    if isinstance(vector, SparseVector):
        return qm.SparseVector(indices=vector.indices, values=vector.values)
    return np.asarray(vector, dtype=np.float32).tolist()


def _plus_weighted(weight: float) -> qm.FormulaQuery:
    """The first list's score plus ``weight`` times the second's (0 where a point is absent)."""
    second = qm.MultExpression(mult=[weight, "$score[1]"])
    return qm.FormulaQuery(
        formula=qm.SumExpression(sum=["$score[0]", second]), defaults={"$score[0]": 0.0, "$score[1]": 0.0}
    )


@dataclass(frozen=True, slots=True)
class ClusterLayout:
    """How a new collection spreads over a Qdrant cluster (None = the server's default). Applied only
    when knowbase creates the collection; change an existing one with Qdrant's own API."""

    shard_number: int | None = None
    replication_factor: int | None = None
    write_consistency_factor: int | None = None
    on_disk_payload: bool | None = None
    on_disk_vectors: bool | None = None


class ServerVectorStore:
    def __init__(
        self,
        client: QdrantClient,
        collection: str,
        dim: int,
        multilingual_dim: int | None = None,
        layout: ClusterLayout | None = None,
    ) -> None:
        self._client = client
        self._collection = collection
        self._dim = dim
        self._multilingual_dim = multilingual_dim
        self._layout = layout or ClusterLayout()
        self._ready = False
        # Forgotten after this process's writes; other processes' writes show within the cache's TTL.
        self._any_chunk = PresenceCache(self._exists)

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except (UnexpectedResponse, ResponseHandlingException, ConnectionError, TimeoutError) as error:
            raise ProviderError(f"Qdrant server {what} failed: {error}") from error

    def ensure_collection(self) -> None:
        if self._ready:
            return
        if not self._call("collection check", self._client.collection_exists, self._collection):
            self._call(
                "collection creation",
                self._client.create_collection,
                self._collection,
                vectors_config=self._vectors_config(),
                sparse_vectors_config={LEXICAL: qm.SparseVectorParams()},
                shard_number=self._layout.shard_number,
                replication_factor=self._layout.replication_factor,
                write_consistency_factor=self._layout.write_consistency_factor,
                on_disk_payload=self._layout.on_disk_payload,
            )
            for name in KEYWORD_INDEXES:
                self._client.create_payload_index(self._collection, name, qm.PayloadSchemaType.KEYWORD)
            for name in INTEGER_INDEXES:
                self._client.create_payload_index(self._collection, name, qm.PayloadSchemaType.INTEGER)
        else:
            self._drop_idf_modifier()
            self._add_multilingual()
            self._add_script_index()
        self._ready = True

    def _vectors_config(self) -> dict[str, qm.VectorParams]:
        on_disk = self._layout.on_disk_vectors
        config = {DENSE: qm.VectorParams(size=self._dim, distance=qm.Distance.COSINE, on_disk=on_disk)}
        if self._multilingual_dim:
            config[MULTILINGUAL] = qm.VectorParams(
                size=self._multilingual_dim, distance=qm.Distance.COSINE, on_disk=on_disk
            )
        return config

    def _add_multilingual(self) -> None:
        """Collections made before the multilingual vector get it added in place; the backfill fills
        it in, and until then search does without the points that lack it."""
        if not self._multilingual_dim:
            return
        info = self._call("collection info", self._client.get_collection, self._collection)
        vectors = info.config.params.vectors
        if isinstance(vectors, dict) and MULTILINGUAL in vectors:
            return
        log.info("adding the multilingual vector to %s", self._collection)
        config = qm.DenseVectorNameConfig(
            dense=qm.DenseVectorConfig(size=self._multilingual_dim, distance=qm.Distance.COSINE)
        )
        self._call("vector creation", self._client.create_vector_name, self._collection, MULTILINGUAL, config)

    def _add_script_index(self) -> None:
        """Collections made before the ``script`` payload get its index (the cross-lingual prefetch filters on it)."""
        info = self._call("collection info", self._client.get_collection, self._collection)
        if SCRIPT not in (info.payload_schema or {}):
            self._call(
                "index creation",
                self._client.create_payload_index,
                self._collection,
                SCRIPT,
                qm.PayloadSchemaType.KEYWORD,
            )

    @property
    def multilingual_dim(self) -> int | None:
        return self._multilingual_dim

    def missing_multilingual(self, batch: int = 256) -> list[StoredHit]:
        if not self._multilingual_dim:
            return []
        self.ensure_collection()
        lacking = qm.Filter(must_not=[qm.HasVectorCondition(has_vector=MULTILINGUAL)])
        records, _ = self._call(
            "scroll", self._client.scroll, self._collection, scroll_filter=lacking, limit=batch, with_payload=True
        )
        return [StoredHit(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def set_multilingual(self, vectors: dict[str, np.ndarray]) -> None:
        if not self._multilingual_dim or not vectors:
            return
        self.ensure_collection()
        updates = [
            qm.PointVectors(id=point, vector={MULTILINGUAL: np.asarray(vector, dtype=np.float32).tolist()})
            for point, vector in vectors.items()
        ]
        self._call("vector update", self._client.update_vectors, self._collection, points=updates, wait=True)

    def _drop_idf_modifier(self) -> None:
        """Collections made before scope-limited IDF used Qdrant's IDF modifier (statistics of every
        collection). The stored weights are plain BM25 tf weights, so switching the modifier off in
        place is the whole migration."""
        info = self._call("collection info", self._client.get_collection, self._collection)
        params = (info.config.params.sparse_vectors or {}).get(LEXICAL)
        if params is not None and params.modifier == qm.Modifier.IDF:
            log.info("switching off the IDF modifier of %s (IDF now comes with the query)", self._collection)
            self._call(
                "collection update",
                self._client.update_collection,
                self._collection,
                sparse_vectors_config={LEXICAL: qm.SparseVectorParams(modifier=qm.Modifier.NONE)},
            )

    def upsert(self, records: list[ChunkRecord]) -> None:
        if not records:
            return
        self.ensure_collection()
        points = []
        for r in records:
            vector: dict[str, Any] = {
                DENSE: np.asarray(r.dense, dtype=np.float32).tolist(),
                LEXICAL: qm.SparseVector(indices=r.sparse.indices, values=r.sparse.values),
            }
            if self._multilingual_dim and r.multilingual is not None:
                vector[MULTILINGUAL] = np.asarray(r.multilingual, dtype=np.float32).tolist()
            points.append(qm.PointStruct(id=r.id, vector=vector, payload=r.payload))
        self._call("upsert", self._client.upsert, self._collection, points=points, wait=True)
        self._any_chunk.forget()

    def delete(self, where: StoreFilter) -> None:
        flt = _filter(where)
        if flt is None:
            raise ValueError("refusing to delete every point: give a filter")
        self.ensure_collection()
        self._call(
            "delete", self._client.delete, self._collection, points_selector=qm.FilterSelector(filter=flt), wait=True
        )
        self._any_chunk.forget()

    def set_payload(self, where: StoreFilter, payload: dict[str, Any]) -> None:
        flt = _filter(where)
        if flt is None:
            raise ValueError("refusing to update every point: give a filter")
        self.ensure_collection()
        self._call("set payload", self._client.set_payload, self._collection, payload=payload, points=flt, wait=True)
        self._any_chunk.forget()

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
        if where.matches_nothing or limit <= 0:
            return []
        self.ensure_collection()
        plan = plan_query(
            dense=dense,
            sparse=sparse,
            multilingual=multilingual if self._multilingual_dim else None,
            where=where,
            weights=weights,
            multilingual_weight=multilingual_weight,
            query_script=query_script,
            cross_lingual_weight=cross_lingual_weight,
            any_chunk=self._any_chunk,
            limit=limit,
        )
        flt = _filter(where)

        def fused(stages: list[PlannedPrefetch]) -> Any:
            if fusion == "rrf":
                return qm.RrfQuery(rrf=qm.Rrf(k=rrf_k, weights=[p.weight for p in stages]))
            return qm.FusionQuery(fusion=qm.Fusion.DBSF)

        def prefetch(stage: PlannedPrefetch) -> qm.Prefetch:
            return qm.Prefetch(query=_vector(stage), using=stage.using, limit=candidates, filter=_filter(stage.where))

        stages = [prefetch(stage) for stage in plan.stages]
        arguments: dict[str, Any]
        if plan.cross_lingual is not None:
            cross = [plan.cross_lingual]
            lists = [
                qm.Prefetch(prefetch=stages, query=fused(plan.stages), limit=candidates),
                qm.Prefetch(prefetch=[prefetch(plan.cross_lingual)], query=fused(cross), limit=candidates),
            ]
            arguments = {"prefetch": lists, "query": _plus_weighted(plan.cross_lingual_weight)}
        elif len(stages) > 1:
            arguments = {"prefetch": stages, "query": fused(plan.stages)}
        elif stages:
            arguments = {"query": _vector(plan.stages[0]), "using": plan.stages[0].using}
        else:
            return []
        response = self._call(
            "query",
            self._client.query_points,
            self._collection,
            **arguments,
            query_filter=flt,
            limit=limit,
            with_payload=True,
        )
        return [StoredHit(str(p.id), float(p.score), dict(p.payload or {})) for p in response.points]

    def fetch(self, where: StoreFilter, limit: int = 1000) -> list[StoredHit]:
        if where.matches_nothing:
            return []
        self.ensure_collection()
        return [StoredHit(str(r.id), 0.0, dict(r.payload or {})) for r in self._scroll(where, limit, with_payload=True)]

    def count(self, where: StoreFilter) -> int:
        if where.matches_nothing:
            return 0
        self.ensure_collection()
        return int(
            self._call("count", self._client.count, self._collection, count_filter=_filter(where), exact=True).count
        )

    def _exists(self, where: StoreFilter, at_least: int = 1) -> bool:
        if where.matches_nothing:
            return False
        return len(self._scroll(where, at_least, with_payload=False)) >= at_least

    def _scroll(self, where: StoreFilter, limit: int, *, with_payload: bool) -> list[Any]:
        records, _ = self._call(
            "scroll",
            self._client.scroll,
            self._collection,
            scroll_filter=_filter(where),
            limit=limit,
            with_payload=with_payload,
        )
        return list(records)

    def scan_sparse(self, batch: int = 512) -> Iterator[tuple[dict[str, Any], list[int]]]:
        self.ensure_collection()
        offset = None
        while True:
            records, offset = self._call(
                "scroll",
                self._client.scroll,
                self._collection,
                limit=batch,
                offset=offset,
                with_payload=SCAN_FIELDS,
                with_vectors=[LEXICAL],
            )
            for r in records:
                vector = (r.vector or {}).get(LEXICAL) if isinstance(r.vector, dict) else None
                indices = list(vector.indices) if isinstance(vector, qm.SparseVector) else []
                yield dict(r.payload or {}), indices
            if offset is None:
                return

    def ping(self) -> bool:
        try:
            self._client.get_collections()
            return True
        except Exception:
            log.exception("Qdrant server is not reachable")
            return False

    def flush(self) -> None:
        """The server persists on its own."""

    def close(self) -> None:
        self._client.close()
