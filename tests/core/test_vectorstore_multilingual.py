"""The second dense vector ``multilingual``: layout, adding it to stores made before it, the
backfill, and search that does without it for points not yet filled. Both engines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.providers.fakes import FakeEmbedder
from core.providers.lexical import LexicalEncoder
from core.vectorstore.base import ChunkRecord, StoreFilter, VectorStore, point_id
from ingest.multilingual import backfill_multilingual, multilingual_text, payload_text

pytestmark = pytest.mark.unit

DIM, MULTILINGUAL_DIM = 16, 8
TEXTS = ["Annual leave is fifteen days", "员工手册规定年假为十五天", "The board approved the merger"]
EVERYTHING = StoreFilter(collection_ids=["col"])


class FakeSentenceEncoder:
    """Hash-seeded unit vectors, so a text's vector is known to the test."""

    def __init__(self) -> None:
        self._embedder = FakeEmbedder(MULTILINGUAL_DIM)
        self.calls = 0

    def encode(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return self._embedder.embed_passages(texts)


def _records(multilingual: FakeSentenceEncoder | None) -> list[ChunkRecord]:
    embedder, lexical = FakeEmbedder(DIM), LexicalEncoder()
    records = []
    for index, text in enumerate(TEXTS):
        payload = {"document_id": f"doc-{index}", "collection_id": "col", "read_groups": [], "version": 1}
        payload |= {"chunk_index": 0, "text": text, "title": f"Title {index}", "heading": f"Title {index} > Part"}
        records.append(
            ChunkRecord(
                id=point_id(f"doc-{index}", 1, 0),
                dense=embedder.embed_query(text),
                sparse=lexical.encode_document(text),
                payload=payload,
                multilingual=multilingual.encode([payload_text(payload)])[0] if multilingual else None,
            )
        )
    return records


StoreMaker = Callable[[int | None], VectorStore]


@pytest.fixture(params=["edge", "server"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreMaker]:
    """Opens the same store again with or without the multilingual vector (as a restart would)."""
    opened: list[Any] = []
    if request.param == "server":
        from qdrant_client import QdrantClient

        client = QdrantClient(":memory:")

    def make(multilingual_dim: int | None) -> VectorStore:
        store: Any
        if request.param == "edge":
            from core.vectorstore.edge import EdgeVectorStore

            for previous in opened:
                previous.close()
            store = EdgeVectorStore(tmp_path / "qdrant", DIM, multilingual_dim)
        else:
            from core.vectorstore.server import ServerVectorStore

            store = ServerVectorStore(client, "chunks", DIM, multilingual_dim)
        store.ensure_collection()
        opened.append(store)
        return store  # type: ignore[no-any-return]

    yield make
    opened[-1].close()


def _multilingual_search(store: VectorStore, encoder: FakeSentenceEncoder, text: str) -> list[str]:
    query = encoder.encode([text])[0]
    hits = store.query(dense=None, sparse=None, multilingual=query, where=EVERYTHING, limit=3)
    return [hit.payload["text"] for hit in hits]


def test_new_store_keeps_and_searches_the_multilingual_vector(make_store: StoreMaker) -> None:
    store, encoder = make_store(MULTILINGUAL_DIM), FakeSentenceEncoder()
    store.upsert(_records(encoder))
    assert store.multilingual_dim == MULTILINGUAL_DIM
    assert store.missing_multilingual() == []
    target = payload_text(_records(None)[1].payload)
    assert _multilingual_search(store, encoder, target)[0] == TEXTS[1]


def test_store_without_the_vector_ignores_it(make_store: StoreMaker) -> None:
    store, encoder = make_store(None), FakeSentenceEncoder()
    store.upsert(_records(encoder))  # vectors given but not kept
    assert store.multilingual_dim is None
    assert store.missing_multilingual() == []
    assert _multilingual_search(store, encoder, TEXTS[0]) == []
    dense = FakeEmbedder(DIM).embed_query(TEXTS[2])
    hits = store.query(dense=dense, sparse=None, multilingual=encoder.encode(["x"])[0], where=EVERYTHING, limit=1)
    assert hits[0].payload["text"] == TEXTS[2]


def test_old_store_gets_the_vector_and_the_backfill_fills_it(make_store: StoreMaker) -> None:
    old = make_store(None)
    old.upsert(_records(None))
    store, encoder = make_store(MULTILINGUAL_DIM), FakeSentenceEncoder()
    assert {hit.id for hit in store.missing_multilingual()} == {r.id for r in _records(None)}

    # Before the backfill: the multilingual prefetch finds nothing, the fused query still works.
    lexical = LexicalEncoder().encode_query("merger")
    query = encoder.encode([TEXTS[0]])[0]
    hits = store.query(dense=None, sparse=lexical, multilingual=query, where=EVERYTHING, limit=3, fusion="rrf")
    assert [hit.payload["text"] for hit in hits] == [TEXTS[2]]

    assert backfill_multilingual(store, encoder, batch=2) == len(TEXTS)
    assert encoder.calls == 1 + 2  # the query above, then two batches of stored texts
    assert store.missing_multilingual() == []
    assert backfill_multilingual(store, encoder) == 0
    for record in _records(None):
        assert _multilingual_search(store, encoder, payload_text(record.payload))[0] == record.payload["text"]
    assert store.count(EVERYTHING) == len(TEXTS)  # payloads and points untouched


def test_backfill_skips_points_deleted_meanwhile(make_store: StoreMaker) -> None:
    """A document removed (or superseded by a new version) while its batch is encoded does not
    stop the backfill: the other points of the batch still get their vector."""
    make_store(None).upsert(_records(None))
    store = make_store(MULTILINGUAL_DIM)

    class DeletingEncoder(FakeSentenceEncoder):
        def encode(self, texts: list[str]) -> np.ndarray:
            store.delete(StoreFilter(document_ids=["doc-1"]))
            return super().encode(texts)

    assert backfill_multilingual(store, DeletingEncoder()) == len(TEXTS) - 1
    assert store.missing_multilingual() == []
    assert store.count(EVERYTHING) == len(TEXTS) - 1


def test_backfill_stops_when_asked(make_store: StoreMaker) -> None:
    make_store(None).upsert(_records(None))
    store = make_store(MULTILINGUAL_DIM)
    assert backfill_multilingual(store, FakeSentenceEncoder(), should_stop=lambda: True) == 0
    assert len(store.missing_multilingual()) == len(TEXTS)


def test_multilingual_text_drops_the_repeated_title() -> None:
    assert multilingual_text("Guide", "Guide > Leave", "Fifteen days.") == "Guide\nLeave\nFifteen days."
    assert multilingual_text("", "", "Only text") == "Only text"
