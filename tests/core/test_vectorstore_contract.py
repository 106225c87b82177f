"""One contract, run against both engines: the embedded Edge shard and qdrant-client (in memory)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from core.providers.fakes import FakeEmbedder
from core.providers.lexical import LexicalEncoder, SparseVector
from core.vectorstore.base import ChunkRecord, StoreFilter, point_id

pytestmark = pytest.mark.integration

TEXTS = {
    ("doc-a", "col-1"): ["The quarterly sales report shows growth", "员工手册规定年假为十五天"],
    ("doc-b", "col-2"): ["Secret merger plan with Acme Corporation", "董事会会议纪要：并购计划保密"],
}


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "edge":
        from core.vectorstore.edge import EdgeVectorStore

        instance = EdgeVectorStore(tmp_path / "qdrant", dim=64)
    else:
        from qdrant_client import QdrantClient

        from core.vectorstore.server import ServerVectorStore

        instance = ServerVectorStore(QdrantClient(":memory:"), "test_chunks", dim=64)
    instance.ensure_collection()
    embedder, lexical = FakeEmbedder(64), LexicalEncoder()
    records = []
    for (document_id, collection_id), texts in TEXTS.items():
        for index, text in enumerate(texts):
            records.append(
                ChunkRecord(
                    id=point_id(document_id, 1, index),
                    dense=embedder.embed_query(text),
                    sparse=lexical.encode_document(text),
                    payload={
                        "document_id": document_id,
                        "collection_id": collection_id,
                        "read_groups": ["g-" + collection_id],
                        "version": 1,
                        "chunk_index": index,
                        "text": text,
                    },
                )
            )
    instance.upsert(records)
    instance.embedder, instance.lexical = embedder, lexical
    yield instance
    instance.close()


def _search(store, text: str, where: StoreFilter, mode: str = "hybrid", fusion: str = "rrf"):  # type: ignore[no-untyped-def]
    dense = store.embedder.embed_query(text) if mode in ("hybrid", "dense") else None
    sparse = store.lexical.encode_query(text) if mode in ("hybrid", "lexical") else None
    return store.query(dense=dense, sparse=sparse, where=where, limit=10, fusion=fusion)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_filter_applies_inside_the_query(store, mode: str) -> None:  # type: ignore[no-untyped-def]
    # Quotes col-2 verbatim, plus one word of col-1 so that lexical search has something to find.
    query = "Secret merger plan with Acme Corporation report"
    hits = _search(store, query, StoreFilter(collection_ids=["col-1"]), mode)
    assert hits and {h.payload["collection_id"] for h in hits} == {"col-1"}
    assert _search(store, "merger", StoreFilter(collection_ids=[]), mode) == []


def test_lexical_search_finds_chinese_words(store) -> None:  # type: ignore[no-untyped-def]
    hits = _search(store, "年假", StoreFilter(), "lexical")
    assert hits[0].payload["text"] == "员工手册规定年假为十五天"


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
def test_hybrid_fusion_ranks_exact_match_first(store, fusion: str) -> None:  # type: ignore[no-untyped-def]
    hits = _search(store, "quarterly sales report", StoreFilter(), "hybrid", fusion)
    assert hits[0].payload["text"].startswith("The quarterly sales report")


def test_group_filter_count_fetch_and_delete(store) -> None:  # type: ignore[no-untyped-def]
    assert store.count(StoreFilter()) == 4
    assert store.count(StoreFilter(read_groups=["g-col-2"])) == 2
    fetched = store.fetch(StoreFilter(document_ids=["doc-a"], chunk_indexes=[1]))
    assert [h.payload["text"] for h in fetched] == ["员工手册规定年假为十五天"]
    store.set_payload(StoreFilter(collection_ids=["col-2"]), {"read_groups": ["g-new"]})
    assert store.count(StoreFilter(read_groups=["g-new"])) == 2
    store.delete(StoreFilter(document_ids=["doc-b"]))
    assert store.count(StoreFilter()) == 2
    with pytest.raises(ValueError):
        store.delete(StoreFilter())


def test_upsert_is_idempotent_and_old_versions_can_be_dropped(store) -> None:  # type: ignore[no-untyped-def]
    text = "new version text"
    record = ChunkRecord(
        id=point_id("doc-a", 2, 0),
        dense=np.ones(64, dtype=np.float32) / 8,
        sparse=store.lexical.encode_document(text),
        payload={
            "document_id": "doc-a",
            "collection_id": "col-1",
            "read_groups": [],
            "version": 2,
            "chunk_index": 0,
            "text": text,
        },
    )
    store.upsert([record])
    store.upsert([record])
    assert store.count(StoreFilter(document_ids=["doc-a"])) == 3
    store.delete(StoreFilter(exclude_version_of=("doc-a", 2)))
    assert [h.payload["version"] for h in store.fetch(StoreFilter(document_ids=["doc-a"]))] == [2]
    assert store.count(StoreFilter(document_ids=["doc-b"])) == 2


def _legacy_points(lexical: LexicalEncoder) -> list[tuple[str, list[float], SparseVector, dict]]:
    embedder = FakeEmbedder(64)
    return [
        (point_id("doc-old", 1, i), embedder.embed_query(text).tolist(), lexical.encode_document(text), {"text": text})
        for i, text in enumerate(["annual leave is fifteen days", "passwords rotate every ninety days"])
    ]


def _assert_migrated(store, lexical: LexicalEncoder) -> None:  # type: ignore[no-untyped-def]
    """Plain dot products (no IDF) on the kept tf weights; dense vectors and payloads untouched."""
    query = lexical.encode_query("annual leave")
    hits = store.query(dense=None, sparse=query, where=StoreFilter(), limit=5)
    document = lexical.encode_document("annual leave is fifteen days")
    expected = sum(v for i, v in zip(document.indices, document.values) if i in query.indices)
    assert len(hits) == 1 and hits[0].score == pytest.approx(expected, rel=1e-4)
    dense = store.query(
        dense=FakeEmbedder(64).embed_query("annual leave is fifteen days"), sparse=None, where=StoreFilter(), limit=1
    )
    assert dense[0].payload["text"] == "annual leave is fifteen days" and dense[0].score == pytest.approx(1.0, abs=1e-4)
    assert sorted(len(indices) for _, indices in store.scan_sparse()) == sorted(
        len(set(lexical.encode_document(t).indices))
        for t in ("annual leave is fifteen days", "passwords rotate every ninety days")
    )


def test_edge_store_with_idf_modifier_is_migrated_in_place(tmp_path: Path) -> None:
    import qdrant_edge as qe

    from core.vectorstore.base import DENSE, LEXICAL
    from core.vectorstore.edge import EdgeVectorStore

    lexical = LexicalEncoder()
    config = qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=64, distance=qe.Distance.Cosine)},
        sparse_vectors={LEXICAL: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
    )
    shard = qe.EdgeShard.create(str(tmp_path / "qdrant"), config)
    shard.update(
        qe.UpdateOperation.upsert_points(
            [
                qe.Point(
                    id=pid,
                    vector={DENSE: dense, LEXICAL: qe.SparseVector(sparse.indices, sparse.values)},
                    payload=payload,
                )
                for pid, dense, sparse, payload in _legacy_points(lexical)
            ]
        )
    )
    shard.flush()
    shard.close()
    for _ in range(2):  # the second start finds nothing to migrate
        store = EdgeVectorStore(tmp_path / "qdrant", dim=64)
        store.ensure_collection()
        assert store._sparse_config() == {LEXICAL: {}}
        _assert_migrated(store, lexical)
        store.close()


def test_server_collection_with_idf_modifier_is_migrated_in_place() -> None:
    from qdrant_client import QdrantClient
    from qdrant_client import models as qm

    from core.vectorstore.base import DENSE, LEXICAL
    from core.vectorstore.server import ServerVectorStore

    lexical = LexicalEncoder()
    client = QdrantClient(":memory:")
    client.create_collection(
        "legacy",
        vectors_config={DENSE: qm.VectorParams(size=64, distance=qm.Distance.COSINE)},
        sparse_vectors_config={LEXICAL: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
    )
    client.upsert(
        "legacy",
        points=[
            qm.PointStruct(
                id=pid, vector={DENSE: dense, LEXICAL: qm.SparseVector(indices=s.indices, values=s.values)}, payload=p
            )
            for pid, dense, s, p in _legacy_points(lexical)
        ],
    )
    store = ServerVectorStore(client, "legacy", dim=64)
    store.ensure_collection()
    assert client.get_collection("legacy").config.params.sparse_vectors[LEXICAL].modifier in (None, qm.Modifier.NONE)
    _assert_migrated(store, lexical)


def test_cluster_layout_from_settings_reaches_collection_creation() -> None:
    """qdrant-client's local mode ignores sharding, so the call itself is checked: what a Qdrant
    cluster would receive when knowbase creates its collection."""
    from qdrant_client import QdrantClient

    from core.settings import Settings
    from core.vectorstore import factory
    from core.vectorstore.server import ServerVectorStore

    settings = Settings(
        qdrant_url="http://qdrant.invalid:6333",
        qdrant_shard_number=6,
        qdrant_replication_factor=2,
        qdrant_write_consistency_factor=2,
        qdrant_on_disk_payload=True,
        qdrant_on_disk_vectors=True,
    )
    store = factory.create_vector_store(settings)
    assert isinstance(store, ServerVectorStore)
    client = QdrantClient(":memory:")
    created: dict[str, object] = {}
    real_create = client.create_collection

    def recording_create(name: str, **kwargs: object) -> bool:
        created.update(kwargs)
        return real_create(name, **kwargs)  # type: ignore[arg-type]

    client.create_collection = recording_create  # type: ignore[method-assign]
    store._client = client
    store.ensure_collection()
    assert (created["shard_number"], created["replication_factor"], created["write_consistency_factor"]) == (6, 2, 2)
    assert created["on_disk_payload"] is True
    assert created["vectors_config"]["dense"].on_disk is True  # type: ignore[index]
    default = ServerVectorStore(QdrantClient(":memory:"), "plain", dim=8)
    default.ensure_collection()  # nothing configured: Qdrant's defaults, as before
