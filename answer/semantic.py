"""How close a candidate sentence is in meaning to the question: cosine similarity under the
multilingual Universal Sentence Encoder (about 1 ms a short text on one core), so a sentence that
answers in other words, or in the other language, still counts. Vectors are cached by text."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

import numpy as np

from core.errors import ProviderError
from core.providers.sentence_encoder import SentenceEncoder, shared_encoder

log = logging.getLogger(__name__)

CACHE_SIZE = 8192  # texts; 2 KB each
MAX_TEXT_CHARS = 1000  # a candidate is a sentence or a clause; longer text only costs time


class SemanticSimilarity:
    def __init__(self, encoder: SentenceEncoder | None = None, cache_size: int = CACHE_SIZE) -> None:
        self._encoder = encoder
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.available = True

    def similarities(self, question: str, texts: list[str]) -> np.ndarray | None:
        """The cosine similarity of each text to the question; None when the encoder cannot load
        (then the answer is chosen on the other evidence)."""
        if not self.available:
            return None
        try:
            vectors = self._vectors([question, *texts])
        except ProviderError as error:
            log.error("sentence encoder unavailable; extractive answers use lexical evidence only: %s", error.message)
            self.available = False
            return None
        similarities: np.ndarray = vectors[1:] @ vectors[0]
        return similarities

    def _vectors(self, texts: list[str]) -> np.ndarray:
        keys = [t[:MAX_TEXT_CHARS] for t in texts]
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
            for key in found:
                self._cache.move_to_end(key)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            encoded = (self._encoder or shared_encoder()).encode(missing)
            fresh = dict(zip(missing, encoded, strict=True))
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        return np.stack([found[k] for k in keys])
