"""``knowbase worker``: an ingestion-only process. Run as many as the machines allow, beside
``knowbase serve --no-worker`` API processes, all on one PostgreSQL, one Qdrant server and one
file store; jobs are claimed with leases (``ingest/queue.py``), so each runs once."""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from core.settings import Settings

if TYPE_CHECKING:
    from core.providers.embeddings import Embedder


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    worker = sub.add_parser("worker", help="run ingestion only (no HTTP server) until stopped")
    worker.add_argument(
        "--threads", type=int, choices=range(1, 9), metavar="N", help="jobs at once (default KNOWBASE_INGEST_WORKERS)"
    )
    worker.set_defaults(handler=run_worker_command)


def run_worker_command(args: argparse.Namespace, settings: Settings) -> int:
    from core.logging import configure_logging

    if args.threads:
        settings = settings.model_copy(update={"ingest_workers": args.threads})
    configure_logging(settings.log_level, settings.log_json)
    stop = threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    run_worker(settings, stop)
    return 0


def run_worker(
    settings: Settings, stop: threading.Event, *, embedder_factory: Callable[[], Embedder] | None = None
) -> None:
    """Ingest until ``stop`` is set; running jobs are then put back in the queue for another worker.

    :raises KnowbaseError: the vector store cannot be opened (the embedded one is owned by a server).
    """
    from api.wiring import build_services

    services = build_services(settings, embedder_factory=embedder_factory)
    try:
        services.bootstrap()
        services.vector_store.get()  # the embedded store admits one process: fail here, clearly
        services.start_ingestion()
        print(f"knowbase worker {services.worker.owner} ingesting (data in {settings.data_dir})", flush=True)
        while not stop.wait(1.0):  # a timed wait lets the signal handler run promptly
            pass
        services.stop_background()
    finally:
        services.close()
