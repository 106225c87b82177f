"""The cross-lingual prefetch: script detection, the prefetch plan both engines share, its effect
(only chunks in another script than the question gain; a single-script collection ranks and scores
exactly as without it) and the backfill of ``script`` into older stores. Both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.providers.lexical import LexicalEncoder
from core.text import SCRIPTS, dominant_script
from core.vectorstore.base import (
    DENSE,
    LEXICAL,
    MULTILINGUAL,
    ChunkRecord,
    StoredHit,
    StoreFilter,
    VectorStore,
    plan_query,
    point_id,
)
from ingest.multilingual import backfill_scripts, chunk_script
from tests.core.stores import open_store

pytestmark = pytest.mark.unit

EVERYTHING = StoreFilter(collection_ids=["col"])


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("How many days of annual leave do employees get?", "latn"),
        ("员工每年享有几天带薪年假？", "hani"),
        ("什么是光合作用 photosynthesis", "hani"),  # a Chinese question naming an English term
        ("The 年假 policy of Acme Corporation", "latn"),
        ("東京は日本の首都です", "jpan"),
        ("岸田首相、訪米へ", "jpan"),
        ("コンピュータ・アーキテクチャ", "jpan"),  # katakana alone
        (
            "《超昂闪忍遥》是ALICESOFT发售的日本游戏，收录《超昂天使エスカレイヤー・リブート》",
            "hani",
        ),  # quotes katakana
        ("서울은 한국의 수도입니다", "kore"),
        ("Привет, мир", "cyrl"),
        ("Le président a signé l'accord", "latn"),
        ("2019-03-01 | 42 % | €", "zyyy"),
        ("", "zyyy"),
    ],
)
def test_dominant_script(text: str, script: str) -> None:
    assert dominant_script(text) == script


def test_chunk_script_falls_back_to_the_title() -> None:
    assert chunk_script("年度报表", "2019 | 42 | 17") == "hani"
    assert chunk_script("Annual report", "员工每年享有带薪年假") == "hani"


def _plan(**overrides: Any) -> tuple[list[str], tuple[list[str] | None, float] | None]:
    """(the fused stages' vectors, the cross-lingual list's scripts and weight)."""
    arguments: dict[str, Any] = {
        "dense": np.ones(4),
        "sparse": LexicalEncoder().encode_query("annual leave"),
        "multilingual": np.ones(3),
        "where": EVERYTHING,
        "query_script": "hani",
    }
    plan = plan_query(**(arguments | overrides))
    assert all(stage.where == (arguments | overrides)["where"] for stage in plan.stages)
    cross = plan.cross_lingual
    return [s.using for s in plan.stages], (cross.where.scripts, plan.cross_lingual_weight) if cross else None


def test_plan_adds_the_cross_lingual_list_only_with_the_multilingual_vector_and_a_known_script() -> None:
    others = [s for s in SCRIPTS if s != "hani"]
    assert _plan() == ([DENSE, LEXICAL, MULTILINGUAL], (others, 1.5))
    assert _plan(cross_lingual_weight=2.5)[1] == (others, 2.5)
    assert _plan(multilingual=None) == ([DENSE, LEXICAL], None)
    for off in ({"query_script": None}, {"query_script": "zyyy"}, {"cross_lingual_weight": 0.0}):
        assert _plan(**off) == ([DENSE, LEXICAL, MULTILINGUAL], None), off
    # A caller's own script condition narrows it; nothing left means no cross-lingual list at all.
    assert _plan(where=StoreFilter(collection_ids=["col"], scripts=["hani", "latn"]))[1] == (["latn"], 1.5)
    assert _plan(where=StoreFilter(collection_ids=["col"], scripts=["hani"]))[1] is None


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    made = open_store(request.param, tmp_path, 4, 3)
    yield made
    made.close()


# Three English chunks that e5 and BM25 prefer, one Chinese chunk the multilingual vector prefers.
CHUNKS = {
    "leave-1": ("Annual leave is fifteen days", [1.0, 0.0, 0.0, 0.0], [0.6, 0.8, 0.0]),
    "leave-2": ("Annual leave carries over", [0.9, 0.3, 0.0, 0.0], [0.5, 0.0, 0.9]),
    "leave-3": ("Leave requests need approval", [0.8, 0.5, 0.1, 0.0], [0.2, 0.1, 1.0]),
    "leave-zh": ("员工每年享有十五天带薪年假", [0.1, 0.2, 0.9, 0.3], [1.0, 0.1, 0.0]),
}


def _fill(store: VectorStore, *, with_script: bool = True, only_latin: bool = False) -> None:
    lexical = LexicalEncoder()
    records = []
    for index, (name, (text, dense, sentence)) in enumerate(CHUNKS.items()):
        if only_latin and name.endswith("-zh"):
            continue
        payload = {"document_id": name, "collection_id": "col", "read_groups": [], "version": 1}
        payload |= {"chunk_index": index, "text": text, "title": ""}
        if with_script:
            payload["script"] = chunk_script("", text)
        vector = np.asarray(dense, dtype=np.float32)
        records.append(
            ChunkRecord(point_id(name, 1, index), vector, lexical.encode_document(text), payload, np.asarray(sentence))
        )
    store.upsert(records)


def _search(
    store: VectorStore, fusion: str, query_script: str | None, weight: float = 1.0, *, multilingual: bool = True
) -> list[StoredHit]:
    return store.query(
        dense=np.asarray([1.0, 0.1, 0.0, 0.0]),
        sparse=LexicalEncoder().encode_query("annual leave days"),
        multilingual=np.asarray([1.0, 0.0, 0.0]) if multilingual else None,
        where=EVERYTHING,
        limit=10,
        fusion=fusion,  # type: ignore[arg-type]
        query_script=query_script,
        cross_lingual_weight=weight,
    )


def _scores(hits: list[StoredHit]) -> dict[str, float]:
    return {hit.payload["document_id"]: hit.score for hit in hits}


@pytest.mark.parametrize("fusion", ["dbsf", "rrf"])
def test_only_chunks_in_another_script_gain(store: VectorStore, fusion: str) -> None:
    _fill(store)
    before, after = _scores(_search(store, fusion, None)), _scores(_search(store, fusion, "latn"))
    assert after["leave-zh"] > before["leave-zh"]
    assert {k: v for k, v in after.items() if k != "leave-zh"} == pytest.approx(
        {k: v for k, v in before.items() if k != "leave-zh"}
    )
    assert list(before)[-1] == "leave-zh" and list(after).index("leave-zh") < len(CHUNKS) - 1  # moved up
    assert next(iter(_scores(_search(store, fusion, "latn", weight=3.0)))) == "leave-zh"  # weighted: first


@pytest.mark.parametrize("fusion", ["dbsf", "rrf"])
def test_single_script_collection_searches_as_without_the_multilingual_vector(store: VectorStore, fusion: str) -> None:
    _fill(store, only_latin=True)
    off = _search(store, fusion, None, multilingual=False)
    after = _search(store, fusion, "latn")
    assert [(h.id, h.score) for h in after] == [(h.id, h.score) for h in off]  # the very same query
    assert _scores(_search(store, fusion, None)) != _scores(off)  # script unknown: the multilingual stage stays


def test_both_engines_score_alike(tmp_path: Path) -> None:
    from qdrant_client import QdrantClient

    from core.vectorstore.edge import EdgeVectorStore
    from core.vectorstore.server import ServerVectorStore

    edge, server = EdgeVectorStore(tmp_path / "qdrant", 4, 3), ServerVectorStore(QdrantClient(":memory:"), "c", 4, 3)
    for store in (edge, server):
        store.ensure_collection()
        _fill(store)
    for fusion, script, weight in (
        ("dbsf", "latn", 1.0),
        ("dbsf", "latn", 2.0),
        ("rrf", "latn", 1.5),
        ("dbsf", None, 1),
    ):
        assert _scores(_search(server, fusion, script, weight)) == pytest.approx(
            _scores(_search(edge, fusion, script, weight)), rel=1e-4
        )
    edge.close()


def test_chunks_without_script_are_left_out_until_the_backfill(store: VectorStore) -> None:
    _fill(store, with_script=False)
    before = _scores(_search(store, "rrf", None))
    assert _scores(_search(store, "rrf", "latn")) == pytest.approx(before)  # an older store: as before
    assert before != _scores(_search(store, "rrf", None, multilingual=False))  # scripts unknown: kept

    assert store.count(StoreFilter(without_script=True)) == len(CHUNKS)
    assert backfill_scripts(store, batch=3) == len(CHUNKS)
    assert backfill_scripts(store) == 0
    assert store.count(StoreFilter(without_script=True)) == 0
    assert [h.payload["document_id"] for h in store.fetch(StoreFilter(scripts=["hani"]))] == ["leave-zh"]
    assert store.count(StoreFilter(scripts=["latn"])) == len(CHUNKS) - 1
    assert _scores(_search(store, "rrf", "latn"))["leave-zh"] > before["leave-zh"]


def test_backfill_stops_when_asked(store: VectorStore) -> None:
    _fill(store, with_script=False)
    assert backfill_scripts(store, should_stop=lambda: True) == 0
    assert store.count(StoreFilter(without_script=True)) == len(CHUNKS)
