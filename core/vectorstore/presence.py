"""A short-lived memory of "do at least n points match this filter?", for ``plan_query``'s ``any_chunk``.

Search asks it on every hybrid query (are there chunks in another script within the caller's
filter?) and the answer changes only when chunks are written. The engine forgets every answer after
each of its own writes; ``ttl`` bounds how long a write by another process (ingest workers or other
replicas on one Qdrant server) can go unseen. A stale answer is harmless either way: "no other
script" for up to ``ttl`` seconds after such an ingest means the new passages are found by e5 and
BM25 only, "some" means search as it was before the check existed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from core.vectorstore.base import StoreFilter

PRESENCE_TTL_SECONDS = 30.0
_MAX_ANSWERS = 4096  # distinct (collections, groups, attributes, script) filters remembered at once


class PresenceCache:
    def __init__(
        self,
        exists: Callable[[StoreFilter, int], bool],
        *,
        ttl: float = PRESENCE_TTL_SECONDS,
        max_answers: int = _MAX_ANSWERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._exists, self._ttl, self._max_answers, self._clock = exists, ttl, max_answers, clock
        self._answers: dict[str, tuple[float, bool]] = {}  # repr(filter) and n -> (expires at, answer)
        self._generation = 0  # bumped by every write, so an answer computed across a write is not kept
        self._lock = threading.Lock()

    def __call__(self, where: StoreFilter, at_least: int = 1) -> bool:
        key, now = f"{at_least} {where!r}", self._clock()
        with self._lock:
            remembered = self._answers.get(key)
            generation = self._generation
        if remembered is not None and remembered[0] > now:
            return remembered[1]
        answer = self._exists(where, at_least)
        with self._lock:
            if generation == self._generation:
                if len(self._answers) >= self._max_answers:
                    self._answers = {k: v for k, v in self._answers.items() if v[0] > now}
                    if len(self._answers) >= self._max_answers:
                        self._answers.clear()
                self._answers[key] = (now + self._ttl, answer)
        return answer

    def forget(self) -> None:
        """After a write (call it once the write is visible to searches)."""
        with self._lock:
            self._generation += 1
            self._answers.clear()
