"""Parse untrusted files in a separate process, with a time and memory limit, so a malicious or
broken file can fail its own document but never hang or crash the server. The parser process ends
with its parent, also when the parent is killed with SIGKILL and cannot clean up."""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from core.errors import ParseError
from ingest.parsers import ParsedDocument, parse_bytes

log = logging.getLogger(__name__)
T = TypeVar("T")


PARENT_POLL_S = 0.5


def _start_parser_process(max_bytes: int, parent_pid: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))
    except (ValueError, OSError):  # not permitted on this platform: parse without the limit
        pass
    exit_with_parent(parent_pid)


def exit_with_parent(parent_pid: int) -> None:
    """In a child process: exit as soon as ``parent_pid`` is gone, even after its ``kill -9``.

    Polling rather than PR_SET_PDEATHSIG: that signal fires when the *thread* that spawned the child
    ends, and pools are shared by threads that come and go; polling also works beyond Linux."""
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:  # a dead parent's children are adopted by another process
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def _parse_file(path: str, filename: str, max_pages: int, max_chars: int) -> ParsedDocument:
    try:
        return parse_bytes(Path(path).read_bytes(), filename, max_pages=max_pages, max_chars=max_chars)
    except MemoryError:
        raise ParseError(
            "the file needs more memory to parse than allowed; it may be malformed or a zip bomb"
        ) from None


class ChildProcess:
    """One worker process, spawned on first use, that runs one call at a time (callers hold ``lock``
    around a call); killed and replaced on the next call after it crashed or overran."""

    def __init__(self, initializer: Callable[..., None], initargs: tuple[Any, ...]) -> None:
        self.lock = threading.Lock()
        self._initializer, self._initargs = initializer, initargs
        self._executor: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=self._initializer,
                initargs=self._initargs,
            )
        return self._executor.submit(fn, *args)

    def pids(self) -> list[int]:
        executor = self._executor
        return [int(p.pid) for p in getattr(executor, "_processes", {}).values()] if executor else []

    def kill(self) -> None:
        executor, self._executor = self._executor, None
        if executor is None:
            return
        for process in list(getattr(executor, "_processes", {}).values()):
            process.kill()
        executor.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self.lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None


class ParserPool:
    def __init__(self, timeout_s: float = 180.0, memory_limit_bytes: int = 3 * 1024**3) -> None:
        self._timeout_s = timeout_s
        self._child = ChildProcess(_start_parser_process, (memory_limit_bytes, os.getpid()))

    def parse(self, path: Path, filename: str, *, max_pages: int, max_chars: int) -> ParsedDocument:
        """:raises ParseError: also when the parser times out or its process dies."""
        with self._child.lock:  # one file at a time in the parser process
            future = self._child.submit(_parse_file, str(path), filename, max_pages, max_chars)
            try:
                return future.result(timeout=self._timeout_s)
            except FutureTimeout:
                self._child.kill()
                raise ParseError(
                    f"parsing took longer than {self._timeout_s:.0f} s and was stopped; the file may be malformed"
                ) from None
            except BrokenProcessPool:
                self._child.kill()
                raise ParseError("the parser crashed on this file; it may be malformed or too large") from None

    def pids(self) -> list[int]:
        return self._child.pids()

    def close(self) -> None:
        self._child.close()
