"""Vectors by text, the least recently used dropped beyond a size; safe across threads. The vectors
are computed outside the lock, so a slow model or a remote call never holds other callers up."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np


class VectorCache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            self._vectors.update(vectors)
            while len(self._vectors) > self._size:
                self._vectors.popitem(last=False)

    def vectors(self, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """One row per text: cached ones as they are, the others computed by ``encode`` in one call."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in texts:
                vector = self._vectors.get(text)
                if vector is not None:
                    self._vectors.move_to_end(text)
                    found[text] = vector
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            fresh = dict(zip(missing, encode(missing), strict=True))
            found.update(fresh)
            self.put(fresh)
        return np.stack([found[t] for t in texts])
