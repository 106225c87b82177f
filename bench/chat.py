"""Chat benchmark: time to first token and total latency (p50/p95) over HTTP with SSE streaming, for
extractive mode and for LLM mode against the fake OpenAI-compatible server (its own latency is
measured too, so our overhead is visible); single client and 8 concurrent.

    python -m bench.chat [--questions 40] [--concurrency 8] [--chunks 10000]

``--chunks N`` first fills the index up to N chunks with the eval corpora's passages (SciFact,
SQuAD, CMRC; grouped 40 to a file) so search runs at that scale. Embedding 10k chunks with the real
model takes far longer than a benchmark may, so the filler is ingested through the whole pipeline
(parse, chunk, BM25 terms and statistics, Qdrant, DB) except that its dense vectors come from the
hashed bag-of-words fake embedder in the same dimension (past ~9k chunks the passages repeat,
reshuffled into new files); the benchmark's own documents are embedded
by the real model, and every question is. ``first_asks_single_client``: eight other questions asked
once each, whose answers no cache has seen (the 40 questions repeat eight).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from api.app import create_app
from api.cli_ingest import local_principal, submit_file
from api.wiring import build_services
from core.metadata.models import Document
from core.security import generate_api_key
from core.settings import Settings
from tests.servers import FakeLLM, serve

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
EVAL = CORPUS.parent / "eval"
FILLER_SETS = ["scifact", "squad11_dev", "cmrc2018_dev"]
PASSAGES_PER_FILE = 40
QUESTIONS = [
    "When was Google Docs introduced?",
    "PagedAttention 浪费了多少显存？",
    "What is data parallelism?",
    "什么是张量并行？",
    "How did word processors evolve?",
    "KV cache 有什么特点？",
    "What does FSDP stand for?",
    "显存优化有哪些方法？",
]
# asked once each, after the others: their sentences and embeddings are in no cache yet, as for a new
# question (the 40 above repeat 8 questions, so most of them are answered from warm caches)
FIRST_ASKS = [
    "What is pipeline parallelism used for?",
    "流水线并行的气泡有多大？",
    "Who made the first typewriter?",
    "张量并行怎样切分权重矩阵？",
    "How does ZeRO reduce memory?",
    "量化到 int8 能节省多少显存？",
    "What limits the batch size during inference?",
    "混合精度训练为什么能加速？",
]
DOCUMENTS = ["docling/pdf__multi_page.pdf", "chatchat/大模型推理优化策略.md", "chatchat/分布式训练技术原理.md"]


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
    }


def timed_stream(client: httpx.Client, url: str, body: dict[str, Any]) -> tuple[float, float]:
    started = time.perf_counter()
    first = None
    with client.stream("POST", url, json=body) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if first is None and (
                line.startswith("event: delta") or '"content": "' in line and '"content": ""' not in line
            ):
                first = time.perf_counter()
    total = time.perf_counter() - started
    return ((first or time.perf_counter()) - started) * 1000, total * 1000


def run_clients(
    base: str, headers: dict[str, Any], path: str, bodies: list[dict[str, Any]], concurrency: int
) -> dict[str, Any]:
    def worker(batch: list[dict[str, Any]]) -> list[tuple[float, float]]:
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            return [timed_stream(client, path, body) for body in batch]

    started, cpu_started = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        results = [r for batch in pool.map(worker, [bodies[i::concurrency] for i in range(concurrency)]) for r in batch]
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {
        "ttft_ms": summarise([r[0] for r in results]),
        "total_ms": summarise([r[1] for r in results]),
        "requests_per_s": round(len(results) / elapsed, 2),
        # server and client share this process: CPU per request, whatever else the machine runs
        "cpu_ms_per_request": round(cpu / max(len(results), 1) * 1000, 1),
    }


def _filler_files(folder: Path) -> Iterator[Path]:
    """The eval corpora's passages, PASSAGES_PER_FILE to a text file: in order, then (when more
    chunks are wanted than one pass gives) reshuffled, so every file differs from the others."""
    passages = [
        json.loads(line)["text"]
        for name in FILLER_SETS
        for line in (EVAL / name / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    folder.mkdir(parents=True, exist_ok=True)
    for round_number in range(100):
        if round_number:
            random.Random(round_number).shuffle(passages)
        for start in range(0, len(passages), PASSAGES_PER_FILE):
            path = folder / f"filler-{round_number}-{start // PASSAGES_PER_FILE:04d}.txt"
            path.write_text("\n\n".join(passages[start : start + PASSAGES_PER_FILE]), encoding="utf-8")
            yield path


def fill(settings: Settings, chunks: int) -> int:
    """Ingest filler files (fake dense vectors) until the index holds at least ``chunks`` chunks."""
    services = build_services(settings.model_copy(update={"embedding_provider": "fake"}))
    services.bootstrap()
    principal = local_principal(services)
    total = 0
    try:
        for path in _filler_files(settings.data_dir / "filler"):
            if total >= chunks:
                break
            submit_file(services, principal, path, "default")
            services.worker.run_until_empty()
            with services.db.session() as session:
                total = int(session.scalar(select(func.sum(Document.chunk_count))) or 0)
    finally:
        services.close()
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--chunks", type=int, default=0, help="fill the index to this many chunks first")
    parser.add_argument("--data-dir", type=Path, default=None, help="keep (and reuse) the index here")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(json.dumps({"error": f"{CORPUS} not found"}))
        return 1
    data_dir, key = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-chat-")), generate_api_key()
    base_settings = Settings(data_dir=data_dir, admin_key=key, log_level="warning")
    filled = fill(base_settings, args.chunks) if args.chunks else 0
    services = build_services(base_settings)
    services.bootstrap()
    principal = local_principal(services)
    for name in DOCUMENTS:
        submit_file(services, principal, CORPUS / name, "default")
    services.worker.run_until_empty()
    services.close()

    questions = [QUESTIONS[i % len(QUESTIONS)] for i in range(args.questions)]
    headers = {"Authorization": f"Bearer {key}"}
    report: dict[str, Any] = {"questions": len(questions), "filler_chunks": filled}
    fake = FakeLLM()
    with serve(fake.app()) as llm_url:
        prompt = [
            {
                "role": "user",
                "content": "Sources:\n[1] Doc\nThe answer is in the first source, as usual.\n\nQuestion: q",
            }
        ]
        report["fake_llm_alone"] = run_clients(
            llm_url,
            {},
            "/v1/chat/completions",
            [{"model": "m", "messages": prompt, "stream": True}] * len(questions),
            1,
        )
        for mode, extra in (("extractive", {}), ("llm", {"llm_base_url": llm_url + "/v1", "llm_model": "fake-model"})):
            settings = base_settings.model_copy(update=extra)
            with serve(create_app(settings)) as url:
                bodies = [{"message": q, "stream": True} for q in questions]
                run_clients(url, headers, "/v1/chat", bodies[:4], 1)  # warm-up
                report[mode] = {
                    "single_client": run_clients(url, headers, "/v1/chat", bodies, 1),
                    f"{args.concurrency}_clients": run_clients(url, headers, "/v1/chat", bodies, args.concurrency),
                }
                if mode == "extractive":
                    first = [{"message": q, "stream": True} for q in FIRST_ASKS]
                    report[mode]["first_asks_single_client"] = run_clients(url, headers, "/v1/chat", first, 1)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
