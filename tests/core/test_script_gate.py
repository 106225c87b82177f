"""The multilingual vector only where the searched chunks mix scripts: a caller whose readable chunks
are all in the question's script gets exactly the e5 + BM25 query; another script (or a chunk whose
script is unknown) within their filter brings today's plan back; chunks they cannot read never
decide it; the existence check is cached and forgotten on writes. Both engines."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.providers.lexical import LexicalEncoder
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
from core.vectorstore.presence import PresenceCache
from ingest.multilingual import chunk_script
from tests.core.stores import open_store

pytestmark = pytest.mark.unit

STAFF = StoreFilter(collection_ids=["col"], read_groups=["staff"])

# English chunks e5 and BM25 prefer; the multilingual vector prefers leave-3 and the Chinese chunk.
ENGLISH = {
    "leave-1": ("Annual leave is fifteen days", [1.0, 0.0, 0.0, 0.0], [0.6, 0.8, 0.0]),
    "leave-2": ("Annual leave carries over", [0.9, 0.3, 0.0, 0.0], [0.5, 0.0, 0.9]),
    "leave-3": ("Leave requests need approval", [0.8, 0.5, 0.1, 0.0], [1.0, 0.1, 0.0]),
}
CHINESE = ("员工每年享有十五天带薪年假", [0.1, 0.2, 0.9, 0.3], [1.0, 0.0, 0.1])


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    made = open_store(request.param, tmp_path, 4, 3)
    yield made
    made.close()


def _add(
    store: VectorStore,
    name: str,
    chunk: tuple[str, list[float], list[float]],
    *,
    collection: str = "col",
    groups: tuple[str, ...] = ("staff",),
    script: str | None = "detect",
) -> None:
    text, dense, sentence = chunk
    payload: dict[str, Any] = {"document_id": name, "collection_id": collection, "read_groups": list(groups)}
    payload |= {"version": 1, "chunk_index": 0, "text": text, "title": ""}
    if script is not None:
        payload["script"] = chunk_script("", text) if script == "detect" else script
    record = ChunkRecord(
        point_id(name, 1, 0), np.asarray(dense), LexicalEncoder().encode_document(text), payload, np.asarray(sentence)
    )
    store.upsert([record])


def _english(store: VectorStore, script: str | None = "detect") -> None:
    for name, chunk in ENGLISH.items():
        _add(store, name, chunk, script=script)


def _search(store: VectorStore, fusion: str, *, multilingual: bool = True, script: str = "latn") -> list[Any]:
    hits: list[StoredHit] = store.query(
        dense=np.asarray([1.0, 0.1, 0.0, 0.0]),
        sparse=LexicalEncoder().encode_query("annual leave days"),
        multilingual=np.asarray([1.0, 0.0, 0.0]) if multilingual else None,
        where=STAFF,
        limit=10,
        fusion=fusion,  # type: ignore[arg-type]
        query_script=script if multilingual else None,
    )
    return [(hit.payload["document_id"], hit.score) for hit in hits]


@pytest.mark.parametrize("fusion", ["dbsf", "rrf"])
def test_single_script_is_exactly_off_and_another_script_brings_the_cross_lingual_list(
    store: VectorStore, fusion: str
) -> None:
    _english(store)
    off = _search(store, fusion, multilingual=False)
    assert _search(store, fusion) == off
    assert _search(store, fusion, script="hani") != off  # a Chinese question: the chunks are in another script
    _add(store, "leave-zh", CHINESE)
    mixed, fused_only = dict(_search(store, fusion)), dict(_search(store, fusion, script="zyyy"))
    assert mixed["leave-zh"] > fused_only["leave-zh"]  # the cross-lingual list lifts the Chinese chunk only
    assert {k: v for k, v in mixed.items() if k != "leave-zh"} == pytest.approx(
        {k: v for k, v in fused_only.items() if k != "leave-zh"}
    )
    assert {k: v for k, v in mixed.items() if k != "leave-zh"} != dict(off)  # with the multilingual stage


@pytest.mark.parametrize(
    "hidden",
    [{"collection": "secret"}, {"groups": ("hr",)}],
    ids=["other collection", "other group"],
)
def test_chunks_the_caller_cannot_read_do_not_decide(store: VectorStore, hidden: dict[str, Any]) -> None:
    _english(store)
    off = _search(store, "dbsf", multilingual=False)
    _add(store, "leave-zh", CHINESE, **hidden)
    assert _search(store, "dbsf") == off


def test_unknown_script_keeps_todays_plan_and_numbers_do_not_count(store: VectorStore) -> None:
    _english(store, script=None)  # stored before the script payload
    off = _search(store, "dbsf", multilingual=False)
    assert _search(store, "dbsf") != off
    store.set_payload(STAFF, {"script": "latn"})  # the backfill; forgets the cached answer
    assert _search(store, "dbsf") == off
    _add(store, "table", ("2019 | 42 % | 17", [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 1.0]), script="zyyy")
    assert _search(store, "dbsf") == _search(store, "dbsf", multilingual=False)


def test_a_delete_is_seen_at_once(store: VectorStore) -> None:
    _english(store)
    _add(store, "leave-zh", CHINESE)
    mixed = _search(store, "dbsf")
    store.delete(StoreFilter(document_ids=["leave-zh"]))
    off = _search(store, "dbsf", multilingual=False)
    assert _search(store, "dbsf") == off != [hit for hit in mixed if hit[0] != "leave-zh"]


def test_plan_asks_about_other_and_unknown_scripts_within_the_callers_filter() -> None:
    asked: list[StoreFilter] = []

    def plan(found: bool, script: str | None = "latn") -> list[str]:
        def any_chunk(where: StoreFilter, at_least: int) -> bool:
            asked.append(where)
            return found

        planned = plan_query(
            dense=np.ones(4),
            sparse=LexicalEncoder().encode_query("leave"),
            multilingual=np.ones(3),
            where=STAFF,
            query_script=script,
            any_chunk=any_chunk,
        )
        return [s.using for s in planned.stages] + (["cross"] if planned.cross_lingual else [])

    assert plan(found=False) == [DENSE, LEXICAL]
    others = ["hani", "jpan", "kore", "cyrl", "grek", "arab", "hebr", "thai", "deva"]
    assert asked == [StoreFilter(collection_ids=["col"], read_groups=["staff"], scripts=others, or_unknown_script=True)]
    assert plan(found=True) == [DENSE, LEXICAL, MULTILINGUAL, "cross"]
    asked.clear()
    assert plan(found=False, script=None) == [DENSE, LEXICAL, MULTILINGUAL]  # no script known: not asked
    assert plan(found=False, script="zyyy") == [DENSE, LEXICAL, MULTILINGUAL]
    assert asked == []


def test_no_cross_lingual_list_where_few_chunks_are_in_the_questions_script() -> None:
    """An English question over Chinese chunks and one English code chunk: the list would only repeat
    the multilingual stage; with a quarter of the results' worth in English it is kept."""
    asked: list[tuple[StoreFilter, int]] = []

    def plan(same_script_chunks: int) -> list[str]:
        def any_chunk(where: StoreFilter, at_least: int) -> bool:
            asked.append((where, at_least))
            return at_least <= (same_script_chunks if where.scripts == ["latn"] else 80)

        planned = plan_query(
            dense=np.ones(4),
            sparse=LexicalEncoder().encode_query("leave"),
            multilingual=np.ones(3),
            where=STAFF,
            query_script="latn",
            any_chunk=any_chunk,
            limit=36,
        )
        return [s.using for s in planned.stages] + (["cross"] if planned.cross_lingual else [])

    assert plan(same_script_chunks=1) == [DENSE, LEXICAL, MULTILINGUAL]
    assert asked[-1] == (
        StoreFilter(collection_ids=["col"], read_groups=["staff"], scripts=["latn"], or_unknown_script=True),
        9,
    )
    assert plan(same_script_chunks=8) == [DENSE, LEXICAL, MULTILINGUAL]
    assert plan(same_script_chunks=9) == [DENSE, LEXICAL, MULTILINGUAL, "cross"]


def test_both_engines_tell_whether_at_least_n_chunks_match(store: VectorStore) -> None:
    _english(store)
    _add(store, "leave-zh", CHINESE)
    english = StoreFilter(scripts=["latn"])
    held = store.count(english)
    exists = store._exists  # type: ignore[attr-defined]  # the check plan_query's any_chunk caches
    assert held >= 1
    assert exists(english, held) and not exists(english, held + 1)


def test_presence_cache_expires_and_forgets() -> None:
    now, calls = [0.0], []
    answer = [False]

    def exists(where: StoreFilter, at_least: int) -> bool:
        calls.append(where)
        return answer[0]

    cache = PresenceCache(exists, ttl=30.0, max_answers=2, clock=lambda: now[0])
    assert cache(STAFF) is False and cache(STAFF) is False and len(calls) == 1
    answer[0] = True
    now[0] = 29.0
    assert cache(STAFF) is False  # still remembered
    now[0] = 31.0
    assert cache(STAFF) is True and len(calls) == 2  # expired: asked again
    answer[0] = False
    cache.forget()
    assert cache(STAFF) is False and len(calls) == 3
    for groups in (["a"], ["b"], ["c"]):  # more filters than it keeps: still correct
        assert cache(StoreFilter(collection_ids=["col"], read_groups=groups)) is False
    assert len(calls) == 6
    cache(STAFF, 1)
    cache(STAFF, 9)  # another question about the same filter: asked, not answered from memory
    assert len(calls) == 8


def test_an_answer_computed_across_a_write_is_not_kept() -> None:
    calls = []
    cache: PresenceCache

    def exists(where: StoreFilter, at_least: int) -> bool:
        calls.append(where)
        if len(calls) == 1:
            cache.forget()  # a write lands while the first check runs
        return False

    cache = PresenceCache(exists)
    cache(STAFF)
    cache(STAFF)
    assert len(calls) == 2
