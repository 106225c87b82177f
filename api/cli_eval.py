"""``knowbase eval DIR``: ingest a benchmark corpus into a scratch collection (reused when already
there) and measure retrieval through the same search path the API uses."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from api.cli_ingest import local_principal
from api.progress import ProgressBar
from core.errors import KnowbaseError, NotFound
from core.metadata import collections
from core.metadata.models import Document
from core.settings import Settings
from retrieval.evaluation import MetricTotals, cross_lingual, distinct, load_dataset, restrict_to, score_query


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("eval", help="measure retrieval quality on a dataset (shared/eval layout)")
    command.add_argument("folder", type=Path)
    command.add_argument("--mode", default="hybrid", help="hybrid, dense, lexical, or several comma-separated")
    command.add_argument("--fusion", default=None, help="rrf or dbsf, or both comma-separated (default: setting)")
    command.add_argument("--max-queries", type=int, default=None, help="evaluate the first N queries only")
    command.add_argument(
        "--max-documents", type=int, default=None, help="ingest only the first N passages (smoke runs)"
    )
    command.add_argument(
        "--corpus", type=Path, default=None, help="passages from this parallel set (cross-lingual: questions of FOLDER)"
    )
    command.add_argument(
        "--multilingual-weights", default=None, help="weights of the cross-lingual prefetch, comma-separated (0 = off)"
    )
    command.add_argument(
        "--cross-lingual-weights",
        default=None,
        help="weights of the prefetch over passages in another script than the question, comma-separated (0 = off)",
    )
    command.add_argument("--json", action="store_true")
    command.set_defaults(handler=run_eval)


def _ingest(services, principal, dataset, collection: str, limit: int | None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Returns document id -> corpus id; ingests only passages not already in the collection."""
    from api.cli_ingest import FileOutcome, submit_file

    passages = dataset.corpus[:limit]
    with services.db.session() as session:
        try:
            target = collections.get_collection(session=session, name=collection)
        except NotFound:
            collections.create_collection(session=session, name=collection, read_groups=[], write_groups=[])
            target = collections.get_collection(session=session, name=collection)
        present = dict(
            session.execute(
                select(Document.source_name, Document.id).where(
                    Document.collection_id == target.id, Document.status == "ready"
                )
            ).all()
        )
    missing = [p for p in passages if f"{p['id']}.txt" not in present]
    if missing:
        staging = services.settings.data_dir / "tmp" / f"eval-{dataset.name}"
        staging.mkdir(parents=True, exist_ok=True)
        bar = ProgressBar(len(missing), "queue  ")
        for number, passage in enumerate(missing, 1):
            path = staging / f"{passage['id']}.txt"
            path.write_text(passage["text"], encoding="utf-8")
            submitted = submit_file(services, principal, path, collection, title=passage.get("title") or None)
            if isinstance(submitted, FileOutcome) and submitted.status == "failed":
                print(f"\n{passage['id']}: {submitted.reason}")
            path.unlink(missing_ok=True)
            if number % 50 == 0 or number == len(missing):
                bar.update(number)
        bar.close()
        bar = ProgressBar(len(missing), "ingest ")
        done = 0

        def on_result(_result) -> None:  # type: ignore[no-untyped-def]
            nonlocal done
            done += 1
            bar.update(done)

        services.worker.run_until_empty(on_result=on_result)
        bar.close()
        with services.db.session() as session:
            present = dict(
                session.execute(
                    select(Document.source_name, Document.id).where(
                        Document.collection_id == target.id, Document.status == "ready"
                    )
                ).all()
            )
    return {document_id: name.removesuffix(".txt") for name, document_id in present.items()}


def run_eval(args: argparse.Namespace, settings: Settings) -> int:
    from api.wiring import build_services

    dataset = load_dataset(args.folder)
    if args.corpus is not None:
        dataset = cross_lingual(dataset, load_dataset(args.corpus))
    collection = f"eval-{dataset.name}".replace("_", "-")
    services = build_services(settings)
    services.bootstrap()
    try:
        principal = local_principal(services)
        started = time.perf_counter()
        corpus_ids = _ingest(services, principal, dataset, collection, args.max_documents)
        ingest_s = time.perf_counter() - started
        services.backfill_multilingual()  # a collection ingested before the cross-lingual vector
        if args.max_documents is not None:
            dataset = restrict_to(dataset, set(corpus_ids.values()))
        queries = dataset.queries[: args.max_queries]
        service = services.retrieval.get()
        report: dict[str, Any] = {
            "dataset": dataset.name,
            "passages": len(corpus_ids),
            "queries": len(queries),
            "ingest_s": round(ingest_s, 1),
            "runs": [],
        }
        fusions = (args.fusion or settings.search_fusion).split(",")
        multilingual_weights = [
            float(w) for w in (args.multilingual_weights or str(settings.search_multilingual_weight)).split(",")
        ]
        cross_weights = [
            float(w) for w in (args.cross_lingual_weights or str(settings.search_cross_lingual_weight)).split(",")
        ]
        runs = [
            (mode, fusion, weight, cross)
            for mode in args.mode.split(",")
            for fusion in (fusions if mode == "hybrid" else [settings.search_fusion])
            for weight in (multilingual_weights if mode == "hybrid" else [0.0])
            for cross in (cross_weights if weight > 0 else [0.0])
        ]
        for mode, fusion, multilingual_weight, cross_weight in runs:
            totals = MetricTotals()
            # The API's options; more results than 10 so that 10 distinct documents remain.
            options = replace(
                service.options(mode=mode, fusion=fusion),
                top_k=30,
                multilingual_weight=multilingual_weight,
                cross_lingual_weight=cross_weight,
            )
            label = f"{mode}/{fusion}/{multilingual_weight:g}/{cross_weight:g}"
            bar = ProgressBar(len(queries), label[:18].ljust(18))
            began = time.perf_counter()
            for number, query in enumerate(queries, 1):
                hits = service.search(principal, query["text"], collection=collection, options=options)
                ranked = distinct(corpus_ids.get(h.document_id, "") for h in hits)
                score_query(
                    totals,
                    ranked,
                    [h.text for h in hits],
                    dataset.qrels[query["id"]],
                    dataset.answers.get(query["id"]),
                )
                if number % 20 == 0 or number == len(queries):
                    bar.update(number)
            bar.close()
            elapsed = time.perf_counter() - began
            report["runs"].append(
                {
                    "mode": mode,
                    "fusion": fusion if mode == "hybrid" else None,
                    "multilingual_weight": multilingual_weight,
                    "cross_lingual_weight": cross_weight,
                    **totals.means(),
                    "query_ms_mean": round(elapsed / max(len(queries), 1) * 1000, 1),
                }
            )
    except KnowbaseError as error:
        print(f"knowbase: {error.message}")
        return 1
    finally:
        services.close()
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"\n{dataset.name}: {report['passages']} passages, {report['queries']} queries")
        for run in report["runs"]:
            metrics = "  ".join(
                f"{k}={v}"
                for k, v in run.items()
                if k not in ("mode", "fusion", "multilingual_weight", "cross_lingual_weight")
            )
            weights = f"ml={run['multilingual_weight']:<4g} cross={run['cross_lingual_weight']:<4g}"
            print(f"  {run['mode']:8} {run['fusion'] or '':5} {weights} {metrics}")
    return 0
