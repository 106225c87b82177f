"""Ingestion benchmark: prints JSON with per-stage seconds, throughput, peak RSS, and the time the
embedder alone needs for the same chunk texts (so our overhead is visible).

    python -m bench.ingest ../shared/corpus                 # everything (the real embedder: ~20+ min)
    python -m bench.ingest ../shared/corpus --max-files 10  # a sample
    python -m bench.ingest ../shared/corpus --parse-only    # parsing + chunking only
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from api.cli_ingest import FileOutcome, collect_files, local_principal, submit_file
from api.progress import ProgressBar
from api.wiring import build_services
from core.errors import KnowbaseError
from core.settings import Settings
from ingest.chunker import Chunker
from ingest.parsers import parse_bytes
from ingest.pipeline import embedding_text


def peak_rss_mb() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"server_process": round(own, 1), "parser_process": round(children, 1)}


def parse_and_chunk(files: list[Path], settings: Settings) -> dict[str, Any]:
    chunker = Chunker(settings.chunk_tokens, settings.chunk_overlap_tokens)
    parse_s = chunk_s = 0.0
    texts: list[str] = []
    pages = failed = 0
    for path in files:
        started = time.perf_counter()
        try:
            parsed = parse_bytes(
                path.read_bytes(), path.name, max_pages=settings.max_pages, max_chars=settings.max_extracted_chars
            )
        except KnowbaseError:
            failed += 1
            parse_s += time.perf_counter() - started
            continue
        parse_s += time.perf_counter() - started
        started = time.perf_counter()
        chunks = chunker.run(parsed)
        chunk_s += time.perf_counter() - started
        pages += parsed.pages or 0
        title = parsed.title or path.stem
        texts.extend(embedding_text(title, c) for c in chunks)
    return {"parse_s": parse_s, "chunk_s": chunk_s, "texts": texts, "pages": pages, "failed": failed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--max-files", type=int, default=None)
    parser.add_argument("--parse-only", action="store_true")
    args = parser.parse_args(argv)

    files = collect_files([args.folder])[: args.max_files]
    data_dir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    settings = Settings(data_dir=data_dir)
    offline = parse_and_chunk(files, settings)
    result: dict[str, Any] = {
        "files": len(files),
        "pages": offline["pages"],
        "chunks": len(offline["texts"]),
        "parse_and_chunk_only_s": round(offline["parse_s"] + offline["chunk_s"], 2),
        "parse_only_s": round(offline["parse_s"], 2),
    }
    if args.parse_only:
        result["peak_rss_mb"] = peak_rss_mb()
        print(json.dumps(result, indent=2))
        return 0

    services = build_services(settings)
    services.bootstrap()
    principal = local_principal(services)
    stages = {"parse": 0.0, "chunk": 0.0, "embed": 0.0, "store": 0.0}
    counts = {"ready": 0, "failed": 0, "duplicate": 0, "tokens": 0, "chunks": 0}
    started = time.perf_counter()
    pending = 0
    for path in files:
        submitted = submit_file(services, principal, path, "default")
        if isinstance(submitted, FileOutcome):
            counts[submitted.status] += 1
        else:
            pending += 1
    bar = ProgressBar(pending, "ingest ")

    def on_result(job) -> None:  # type: ignore[no-untyped-def]
        counts[job.status] = counts.get(job.status, 0) + 1
        if job.outcome:
            for stage, seconds in job.outcome.timings.items():
                stages[stage] += seconds
            counts["tokens"] += job.outcome.token_count
            counts["chunks"] += job.outcome.chunk_count
        bar.update(counts["ready"] + counts["failed"], job.source_name[:40])

    services.worker.run_until_empty(on_result=on_result)
    bar.close()
    end_to_end = time.perf_counter() - started

    # The embedder alone on exactly the texts ingestion embedded, in the pipeline's batch size.
    embedder = services.embedder.get()
    batch = services.pipeline.get().batch_size
    started = time.perf_counter()
    for i in range(0, len(offline["texts"]), batch):
        embedder.embed_passages(offline["texts"][i : i + batch])
    embedder_alone = time.perf_counter() - started
    # The multilingual sentence encoder (the second dense vector) alone on the same texts: its share
    # of ingestion time (goal: at most 15% on top of the embedder). Zero when switched off.
    multilingual_alone = 0.0
    if settings.multilingual_search:
        from core.providers.sentence_encoder import shared_encoder

        encoder = shared_encoder()
        started = time.perf_counter()
        for i in range(0, len(offline["texts"]), batch):
            encoder.encode(offline["texts"][i : i + batch])
        multilingual_alone = time.perf_counter() - started
    services.close()

    result.update(
        {
            "ready": counts["ready"],
            "failed": counts["failed"],
            "duplicates": counts["duplicate"],
            "tokens": counts["tokens"],
            "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
            "end_to_end_s": round(end_to_end, 2),
            "embedder_alone_s": round(embedder_alone, 2),
            "overhead_vs_embedder": round(end_to_end / embedder_alone - 1, 3) if embedder_alone else None,
            "multilingual_alone_s": round(multilingual_alone, 2),
            "multilingual_vs_embedder": round(multilingual_alone / embedder_alone, 3) if embedder_alone else None,
            "chunks_per_s": round(counts["chunks"] / end_to_end, 2) if end_to_end else None,
            "tokens_per_s": round(counts["tokens"] / end_to_end, 1) if end_to_end else None,
            "peak_rss_mb": peak_rss_mb(),
            "data_dir": str(data_dir),
        }
    )
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
