"""Question answering over the five Chinese OpenAI-platform articles, checked from outside as a user
would: a knowbase server with no LLM, the articles uploaded through /v1/documents, every question
asked through POST /v1/chat (non-streaming) and /v1/search. Questions are in Chinese and English
(English over the Chinese documents); some have no answer in the articles and must give no_answer.

    python -m bench.articles_qa [--questions bench/data/openai_platform_zh_qa.jsonl] [--keep]

Prints JSON: totals per language and per kind, and one row per question with the reasons it failed.
Exits 0 with {"skipped": ...} when ../shared (the corpus) is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from answer.retrieve import EXTRACTIVE_CONTEXT_TOKENS
from bench.qa_scoring import QuestionScore, contains_gold, score_question
from core.security import generate_api_key

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "openai-platform-zh"
QUESTIONS = ROOT / "bench" / "data" / "openai_platform_zh_qa.jsonl"
READY_TIMEOUT_S = 600


@contextmanager
def running_server(data_dir: Path, settings: dict[str, str] | None = None) -> Iterator[httpx.Client]:
    """A knowbase server on a free local port with no LLM (every KNOWBASE_ variable of the caller is
    dropped) and a client authenticated as its admin; the server stops on exit."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    key = generate_api_key()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        KNOWBASE_DATA_DIR=str(data_dir),
        KNOWBASE_ADMIN_KEY=key,
        KNOWBASE_PORT=str(port),
        KNOWBASE_LOG_LEVEL="warning",
    )
    env.update(settings or {})
    # cwd is the data dir so that no .env file of the checkout configures an LLM
    server = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve"], cwd=data_dir, env=env, stdout=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the knowbase server did not become ready")
            time.sleep(0.2)
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=120) as client:
            yield client
    finally:
        server.terminate()
        server.wait(timeout=60)


def upload_articles(client: httpx.Client, files: list[Path]) -> dict[str, str]:
    """Upload the articles and wait until all are ready; returns file name -> document id."""
    ids = {}
    for path in files:
        response = client.post("/v1/documents", files={"file": (path.name, path.read_bytes(), "text/plain")})
        response.raise_for_status()
        ids[path.name] = response.json()["document"]["id"]
    deadline = time.monotonic() + READY_TIMEOUT_S
    pending = set(ids.values())
    while pending:
        for document_id in list(pending):
            status = client.get(f"/v1/documents/{document_id}").json()["status"]
            if status == "failed":
                raise RuntimeError(f"ingestion of {document_id} failed")
            if status == "ready":
                pending.discard(document_id)
        if pending and time.monotonic() > deadline:
            raise RuntimeError(f"documents not ready after {READY_TIMEOUT_S}s: {sorted(pending)}")
        time.sleep(0.3)
    return ids


def full_text(client: httpx.Client, document_id: str) -> str:
    first = client.get(f"/v1/documents/{document_id}/text", params={"start": 0, "end": 0, "window": 0}).json()
    whole = client.get(f"/v1/documents/{document_id}/text", params={"start": 0, "end": first["length"], "window": 0})
    return str(whole.json()["quote"])


def ask(client: httpx.Client, item: dict[str, Any], texts: dict[str, str]) -> tuple[QuestionScore, dict[str, Any]]:
    started = time.perf_counter()
    response = client.post("/v1/chat", json={"message": item["question"]})
    elapsed_ms = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    result = response.json()
    hits = client.post("/v1/search", json={"query": item["question"], "top_k": 8}).json()["results"]
    sources = [hit["source"] for hit in hits]
    score = score_question(item, result, texts, sources)
    gold_rank = next((rank for rank, source in enumerate(sources, 1) if source in item["documents"]), None)
    # retrieval vs answering: the first hit whose chunk holds the gold answer itself
    # the context the extractive answer picks its sentences from (same budget as the chat's)
    context = client.post("/v1/context", json={"query": item["question"], "max_tokens": EXTRACTIVE_CONTEXT_TOKENS})
    in_context = any(contains_gold(source["text"], item["answers"]) for source in context.json()["sources"])
    answer_rank = next((rank for rank, hit in enumerate(hits, 1) if contains_gold(hit["text"], item["answers"])), None)
    row = {
        "id": item["id"],
        "question": item["question"],
        "passed": score.passed,
        "reasons": score.reasons,
        "mode": result["mode"],
        "answer": result["answer"][:300],
        "answer_chars": len(result["answer"]),
        "cited": [c["source"][:3] for c in result["citations"]],
        "quotes": [c["quote"][:160] for c in result["citations"]],
        "gold": item["answers"],
        "gold_documents": [name[:3] for name in item["documents"]],
        "search_top8": [source[:3] for source in sources],
        "search_gold_rank": gold_rank,
        "search_answer_chunk_rank": answer_rank if item["answerable"] else None,
        "context_has_answer": in_context if item["answerable"] else None,
        "ms": round(elapsed_ms),
    }
    return score, row


def totals(items: list[dict[str, Any]], scores: list[QuestionScore], rows: list[dict[str, Any]]) -> dict[str, Any]:
    def count(kind: bool, lang: str | None = None) -> dict[str, int]:
        chosen = [
            s for i, s in zip(items, scores, strict=True) if i["answerable"] is kind and lang in (None, i["lang"])
        ]
        return {"passed": sum(s.passed for s in chosen), "of": len(chosen)}

    answerable = [s for i, s in zip(items, scores, strict=True) if i["answerable"]]
    return {
        "answerable": count(True),
        "answerable_zh": count(True, "zh"),
        "answerable_en": count(True, "en"),
        "unanswerable": count(False),
        "answer_contains_gold": sum(s.answer_ok for s in answerable),
        "gold_document_cited": sum(s.document_ok for s in answerable),
        "quotes_verbatim": sum(s.quotes_ok for s in answerable),
        "search_top5_has_gold_document": sum(s.search_ok for s in answerable),
        "search_top8_has_answer_chunk": sum(row["search_answer_chunk_rank"] is not None for row in rows),
        "answer_in_chat_context": sum(bool(row["context_has_answer"]) for row in rows),
    }


def run(questions: Path, data_dir: Path, settings: dict[str, str] | None = None) -> dict[str, Any]:
    items = [json.loads(line) for line in questions.read_text(encoding="utf-8").splitlines() if line.strip()]
    files = sorted(CORPUS.glob("*.txt"))
    with running_server(data_dir, settings) as client:
        started = time.perf_counter()
        ids = upload_articles(client, files)
        ingest_s = time.perf_counter() - started
        texts = {document_id: full_text(client, document_id) for document_id in ids.values()}
        client.post("/v1/chat", json={"message": "warm-up"})  # model loads are not a question's latency
        scored = [ask(client, item, texts) for item in items]
    scores, rows = [score for score, _ in scored], [row for _, row in scored]
    return {"ingest_s": round(ingest_s, 1), "totals": totals(items, scores, rows), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--data-dir", type=Path, help="server data directory (default: a fresh temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    parser.add_argument(
        "--setting", action="append", default=[], metavar="KNOWBASE_X=VALUE", help="a server setting (repeatable)"
    )
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(json.dumps({"skipped": f"{CORPUS} not found (../shared is beside the project only on dev machines)"}))
        return 0
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kb-articles-qa-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        settings = dict(pair.split("=", 1) for pair in args.setting)
        report = run(args.questions, data_dir, settings)
    finally:
        if args.data_dir is None and not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    report["data_dir"] = str(data_dir) if args.keep or args.data_dir else None
    print(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
