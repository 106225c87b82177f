"""The embedded engine: qdrant-edge-py, one shard in the data dir, owned by one process."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from core.errors import ProviderError
from core.providers.lexical import SparseVector
from core.vectorstore.base import (
    DENSE,
    INTEGER_INDEXES,
    KEYWORD_INDEXES,
    LEXICAL,
    LEXICAL_MIGRATION,
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


def _filter(where: StoreFilter) -> qe.Filter | None:
    return translate_filter(where, qe)


def _fusion(plans: list[PlannedPrefetch], fusion: Fusion, rrf_k: int) -> Any:
    return qe.Fusion.Rrf(k=rrf_k, weights=[p.weight for p in plans]) if fusion == "rrf" else qe.Fusion.Dbsf()


def _plus_weighted(weight: float) -> qe.Formula:
    """The first list's score plus ``weight`` times the second's (0 where a point is absent)."""
    second = qe.Expression.Mult([qe.Expression.Constant(weight), qe.Expression.Variable("$score[1]")])
    return qe.Formula(
        qe.Expression.Sum([qe.Expression.Variable("$score[0]"), second]), defaults={"$score[0]": 0.0, "$score[1]": 0.0}
    )


def _nearest(plan: PlannedPrefetch) -> Any:
    vector = plan.vector
    if isinstance(vector, SparseVector):
        return qe.Query.Nearest(qe.SparseVector(indices=vector.indices, values=vector.values), using=plan.using)
    return qe.Query.Nearest(np.asarray(vector, dtype=np.float32).tolist(), using=plan.using)


def _named(vector: Any, name: str) -> Any:
    return vector.get(name) if isinstance(vector, dict) else None


class EdgeVectorStore:
    def __init__(self, path: Path, dim: int, multilingual_dim: int | None = None) -> None:
        self._path = Path(path)
        self._dim = dim
        self._multilingual_dim = multilingual_dim
        self._write_lock = threading.Lock()
        self._shard: qe.EdgeShard | None = None
        self._lock_file: int | None = None
        # This process owns the shard, so forgetting after each write keeps the answers exact.
        self._any_chunk = PresenceCache(self._exists)

    def _take_process_lock(self) -> None:
        """The engine admits one process per shard; say so clearly instead of corrupting it."""
        self._path.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path / ".knowbase.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise ProviderError(
                f"the embedded vector store in {self._path} is in use by knowbase process {holder}; "
                "stop it, or send the work to it (knowbase ingest does this automatically)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._lock_file = fd

    @property
    def shard(self) -> qe.EdgeShard:
        if self._shard is None:
            self.ensure_collection()
        assert self._shard is not None
        return self._shard

    def ensure_collection(self) -> None:
        if self._shard is not None:
            return
        if self._lock_file is None:
            self._take_process_lock()
        vectors = {DENSE: qe.EdgeVectorParams(size=self._dim, distance=qe.Distance.Cosine)}
        if self._multilingual_dim:
            vectors[MULTILINGUAL] = qe.EdgeVectorParams(size=self._multilingual_dim, distance=qe.Distance.Cosine)
        config = qe.EdgeConfig(
            vectors=vectors,
            sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams()},
        )
        try:
            if (self._path / "edge_config.json").exists() or any(self._path.glob("segments*")):
                self._shard = qe.EdgeShard.load(str(self._path))
                self._drop_idf_modifier()
                self._add_multilingual()
                self._add_script_index()
            else:
                self._path.mkdir(parents=True, exist_ok=True)
                self._shard = qe.EdgeShard.create(str(self._path), config)
                for name in KEYWORD_INDEXES:
                    self._shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
                for name in INTEGER_INDEXES:
                    self._shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Integer))
        except Exception as error:
            raise ProviderError(
                f"cannot open the embedded vector store at {self._path}: {error}. "
                "Only one knowbase process may use a data dir at a time."
            ) from error

    def _config(self, section: str) -> dict[str, Any]:
        config_file = self._path / "edge_config.json"
        if not config_file.exists():
            return {}
        return dict(json.loads(config_file.read_text()).get(section) or {})

    def _sparse_config(self) -> dict[str, Any]:
        return self._config("sparse_vectors")

    def _add_multilingual(self) -> None:
        """Shards made before the multilingual vector get it as an empty named vector; the points
        are filled in by the backfill, and until then search simply does without them."""
        if not self._multilingual_dim or MULTILINGUAL in self._config("vectors"):
            return
        assert self._shard is not None
        log.info("adding the multilingual vector to %s", self._path)
        self._shard.update(
            qe.UpdateOperation.create_dense_vector(MULTILINGUAL, self._multilingual_dim, qe.Distance.Cosine)
        )
        self._shard.flush()

    def _add_script_index(self) -> None:
        """Shards made before the ``script`` payload get its index (the cross-lingual prefetch filters on it)."""
        assert self._shard is not None
        if SCRIPT not in self._shard.info().payload_schema:
            self._shard.update(qe.UpdateOperation.create_field_index(SCRIPT, qe.PayloadSchemaType.Keyword))

    @property
    def multilingual_dim(self) -> int | None:
        return self._multilingual_dim

    def missing_multilingual(self, batch: int = 256) -> list[StoredHit]:
        if not self._multilingual_dim:
            return []
        lacking = qe.Filter(must_not=[qe.HasVectorCondition(MULTILINGUAL)])
        records, _ = self.shard.scroll(qe.ScrollRequest(limit=batch, filter=lacking, with_payload=True))
        return [StoredHit(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def set_multilingual(self, vectors: dict[str, np.ndarray]) -> None:
        if not self._multilingual_dim or not vectors:
            return
        updates = [
            qe.PointVectors(id=point, vector={MULTILINGUAL: np.asarray(vector, dtype=np.float32).tolist()})
            for point, vector in vectors.items()
        ]
        with self._write_lock:
            self.shard.update(qe.UpdateOperation.update_vectors(updates))

    def _drop_idf_modifier(self) -> None:
        """Stores made before scope-limited IDF kept ``lexical`` with Qdrant's IDF modifier (term
        statistics of every collection). The stored weights are plain BM25 tf weights either way, so
        ``lexical`` is copied aside, recreated without the modifier and copied back: no re-embedding,
        and each step can be repeated after a crash."""
        sparse = self._sparse_config()
        shard = self._shard
        assert shard is not None
        if (sparse.get(LEXICAL) or {}).get("modifier") == "idf":
            log.info("migrating the lexical vectors of %s to query-side IDF", self._path)
            if LEXICAL_MIGRATION not in sparse:
                shard.update(qe.UpdateOperation.create_sparse_vector(LEXICAL_MIGRATION))
            self._copy_sparse(LEXICAL, LEXICAL_MIGRATION)
            shard.update(qe.UpdateOperation.delete_vector_name(LEXICAL))
            shard.flush()
            sparse = self._sparse_config()
        if LEXICAL_MIGRATION in sparse:
            if LEXICAL not in sparse:
                shard.update(qe.UpdateOperation.create_sparse_vector(LEXICAL))
            self._copy_sparse(LEXICAL_MIGRATION, LEXICAL)
            shard.update(qe.UpdateOperation.delete_vector_name(LEXICAL_MIGRATION))
            shard.flush()
            log.info("lexical vectors of %s migrated", self._path)

    def _copy_sparse(self, source: str, target: str, batch: int = 512) -> None:
        shard = self._shard
        assert shard is not None
        offset = None
        while True:
            records, offset = shard.scroll(
                qe.ScrollRequest(limit=batch, offset=offset, with_payload=False, with_vector=[source])
            )
            vectors = [
                qe.PointVectors(id=r.id, vector={target: sparse})
                for r in records
                if isinstance(sparse := _named(r.vector, source), qe.SparseVector)
            ]
            if vectors:
                shard.update(qe.UpdateOperation.update_vectors(vectors))
            if offset is None:
                return

    def scan_sparse(self, batch: int = 512) -> Iterator[tuple[dict[str, Any], list[int]]]:
        offset = None
        while True:
            records, offset = self.shard.scroll(
                qe.ScrollRequest(limit=batch, offset=offset, with_payload=SCAN_FIELDS, with_vector=[LEXICAL])
            )
            for r in records:
                vector = _named(r.vector, LEXICAL)
                yield dict(r.payload or {}), list(vector.indices) if isinstance(vector, qe.SparseVector) else []
            if offset is None:
                return

    def upsert(self, records: list[ChunkRecord]) -> None:
        if not records:
            return
        points = []
        for r in records:
            vector: dict[str, Any] = {
                DENSE: np.asarray(r.dense, dtype=np.float32).tolist(),
                LEXICAL: qe.SparseVector(indices=r.sparse.indices, values=r.sparse.values),
            }
            if self._multilingual_dim and r.multilingual is not None:
                vector[MULTILINGUAL] = np.asarray(r.multilingual, dtype=np.float32).tolist()
            points.append(qe.Point(id=r.id, vector=vector, payload=r.payload))
        with self._write_lock:
            self.shard.update(qe.UpdateOperation.upsert_points(points))
        self._any_chunk.forget()

    def delete(self, where: StoreFilter) -> None:
        flt = _filter(where)
        if flt is None:
            raise ValueError("refusing to delete every point: give a filter")
        with self._write_lock:
            self.shard.update(qe.UpdateOperation.delete_points_by_filter(flt))
        self._any_chunk.forget()

    def set_payload(self, where: StoreFilter, payload: dict[str, Any]) -> None:
        flt = _filter(where)
        if flt is None:
            raise ValueError("refusing to update every point: give a filter")
        with self._write_lock:
            self.shard.update(qe.UpdateOperation.set_payload_by_filter(flt, payload))
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

        def prefetch(stage: PlannedPrefetch) -> qe.Prefetch:
            return qe.Prefetch(limit=candidates, query=_nearest(stage), filter=_filter(stage.where))

        stages = [prefetch(stage) for stage in plan.stages]
        if plan.cross_lingual is not None:
            lists = [
                qe.Prefetch(limit=candidates, prefetches=stages, query=_fusion(plan.stages, fusion, rrf_k)),
                qe.Prefetch(
                    limit=candidates,
                    prefetches=[prefetch(plan.cross_lingual)],
                    query=_fusion([plan.cross_lingual], fusion, rrf_k),
                ),
            ]
            request = qe.QueryRequest(
                limit=limit,
                prefetches=lists,
                query=_plus_weighted(plan.cross_lingual_weight),
                filter=flt,
                with_payload=True,
            )
        elif len(stages) > 1:
            request = qe.QueryRequest(
                limit=limit, prefetches=stages, query=_fusion(plan.stages, fusion, rrf_k), filter=flt, with_payload=True
            )
        elif stages:
            request = qe.QueryRequest(limit=limit, query=_nearest(plan.stages[0]), filter=flt, with_payload=True)
        else:
            return []
        return [StoredHit(str(p.id), float(p.score), dict(p.payload or {})) for p in self.shard.query(request)]

    def fetch(self, where: StoreFilter, limit: int = 1000) -> list[StoredHit]:
        if where.matches_nothing:
            return []
        records, _ = self.shard.scroll(qe.ScrollRequest(limit=limit, filter=_filter(where), with_payload=True))
        return [StoredHit(str(r.id), 0.0, dict(r.payload or {})) for r in records]

    def count(self, where: StoreFilter) -> int:
        if where.matches_nothing:
            return 0
        return int(self.shard.count(qe.CountRequest(exact=True, filter=_filter(where))))

    def _exists(self, where: StoreFilter, at_least: int = 1) -> bool:
        if where.matches_nothing:
            return False
        records, _ = self.shard.scroll(qe.ScrollRequest(limit=at_least, filter=_filter(where), with_payload=False))
        return len(records) >= at_least

    def ping(self) -> bool:
        try:
            self.shard.info()
            return True
        except Exception:
            log.exception("embedded vector store is not usable")
            return False

    def flush(self) -> None:
        with self._write_lock:
            if self._shard is not None:
                self._shard.flush()

    def close(self) -> None:
        with self._write_lock:
            if self._shard is not None:
                self._shard.flush()
                self._shard.close()
                self._shard = None
                self._any_chunk.forget()
            if self._lock_file is not None:
                os.close(self._lock_file)  # closing releases the flock
                self._lock_file = None
