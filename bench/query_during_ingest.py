"""Search latency while documents are being ingested, next to idle latency in the same run.

A server starts on a fresh data dir holding a base set of documents; searches are timed idle, then
while 150 small documents and one ~600 KB document are uploaded and ingested, then a tiny document
uploaded last is timed until it is ready. Run once with the passage embedder in its background
process (the default) and once in process, for comparison:

    python -m bench.query --during-ingest
"""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench.query import WORDS, percentiles, running_server

SENTENCE_WORDS = (8, 20)


def synthetic_text(rng: random.Random, size_bytes: int) -> str:
    sentences: list[str] = []
    total = 0
    while total < size_bytes:
        words = [rng.choice(WORDS) for _ in range(rng.randint(*SENTENCE_WORDS))]
        sentence = " ".join(words).capitalize() + f" (ref {rng.randint(1, 10**6)})."
        sentences.append(sentence)
        total += len(sentence.encode()) + 1
        if rng.random() < 0.12:
            sentences.append("\n\n")
    return " ".join(sentences)


def _upload(client: httpx.Client, name: str, text: str) -> str:
    response = client.post("/v1/documents", files={"file": (name, text.encode(), "text/plain")})
    response.raise_for_status()
    return str(response.json()["document"]["id"])


def _wait_ready(client: httpx.Client, ids: list[str], timeout_s: float) -> float:
    started = time.perf_counter()
    pending = set(ids)
    while pending and time.perf_counter() - started < timeout_s:
        for document_id in list(pending):
            if client.get(f"/v1/documents/{document_id}").json()["status"] in ("ready", "failed"):
                pending.discard(document_id)
        if pending:
            time.sleep(0.25)
    if pending:
        raise TimeoutError(f"{len(pending)} documents not ready after {timeout_s:.0f} s")
    return time.perf_counter() - started


def _time_searches(client: httpx.Client, queries: list[str], until: threading.Event | None = None) -> list[float]:
    latencies = []
    for query in queries:
        if until is not None and until.is_set():
            break
        started = time.perf_counter()
        assert client.post("/v1/search", json={"query": query, "top_k": 8}).status_code == 200
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)  # a user's pace, not a flood: this measures waiting, not throughput
    return latencies


def run_mode(label: str, queries: list[str], small_docs: int, big_kb: int, extra_env: dict[str, str]) -> dict[str, Any]:
    rng = random.Random(7)
    data_dir = Path(tempfile.mkdtemp(prefix=f"kb-busy-{label}-"))
    with (
        running_server(data_dir, **extra_env) as (base, headers),
        httpx.Client(base_url=base, headers=headers, timeout=120) as client,
    ):
        base_ids = [_upload(client, f"base{i}.txt", synthetic_text(rng, 3000)) for i in range(20)]
        _wait_ready(client, base_ids, 900)
        _time_searches(client, queries[:10])  # warm-up
        idle = _time_searches(client, queries)

        busy_ids = [_upload(client, "big.txt", synthetic_text(rng, big_kb * 1024))]
        busy_ids += [_upload(client, f"doc{i}.txt", synthetic_text(rng, 3000)) for i in range(small_docs)]
        tiny_uploaded = time.perf_counter()
        tiny = _upload(client, "tiny.txt", "The tiny document: the parking garage opens at 7:00.")
        done = threading.Event()
        ingest_started = time.perf_counter()
        tiny_ready: list[float] = []

        def wait_all() -> None:
            try:
                _wait_ready(client_waiter, [tiny], 3600)
                tiny_ready.append(time.perf_counter() - tiny_uploaded)
                _wait_ready(client_waiter, busy_ids, 3600)
            finally:
                done.set()

        with httpx.Client(base_url=base, headers=headers, timeout=120) as client_waiter:
            waiter = threading.Thread(target=wait_all)
            waiter.start()
            busy: list[float] = []
            while not done.is_set():
                busy += _time_searches(client, queries, until=done)
            waiter.join()
        ingest_s = time.perf_counter() - ingest_started
    idle_p, busy_p = percentiles(idle), percentiles(busy)
    return {
        "mode": label,
        "idle_search_ms": idle_p,
        "search_while_ingesting_ms": busy_p,
        "busy_searches": len(busy),
        "p95_ratio_busy_to_idle": round(busy_p["p95"] / idle_p["p95"], 2),
        "p50_ratio_busy_to_idle": round(statistics.median(busy) / statistics.median(idle), 2),
        "ingest_s": round(ingest_s, 1),
        "tiny_document_ready_s": round(tiny_ready[0], 1) if tiny_ready else None,
    }


def during_ingest(queries: list[str], small_docs: int = 150, big_kb: int = 600) -> list[dict[str, Any]]:
    return [
        run_mode("background_embedding", queries, small_docs, big_kb, {}),
        run_mode("in_process_embedding", queries, small_docs, big_kb, {"KNOWBASE_INGEST_EMBED_IN_BACKGROUND": "false"}),
    ]
