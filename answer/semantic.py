"""How close a candidate sentence is in meaning to the question, under two models:

- the multilingual Universal Sentence Encoder (about 1 ms a short text on one core): strong across
  languages, so a sentence in the other language than the question still counts;
- the query-side model of search (e5: the question as a query, the sentence as a passage): strong
  within one language, where USE is weak (bench.articles_qa: the answering sentence ranked first among
  a question's candidates 66% of the time under e5, 42% under USE).

Vectors are cached by text, so a popular passage's sentences are embedded once."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

from core.errors import ProviderError
from core.providers.embeddings import Embedder
from core.providers.sentence_encoder import SentenceEncoder, shared_encoder

log = logging.getLogger(__name__)

CACHE_SIZE = 8192  # texts; 2 KB each (384 float32 dimensions, both models)
MAX_TEXT_CHARS = 1000  # a candidate is a sentence or a clause; longer text only costs time


class _VectorCache:
    """Vectors of texts, computed by ``encode`` for the texts not cached yet (least recently used go)."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], size: int) -> None:
        self._encode, self._size = encode, size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cache)

    def vectors(self, texts: list[str]) -> np.ndarray:
        keys = [t[:MAX_TEXT_CHARS] for t in texts]
        with self._lock:
            found = {k: self._cache[k] for k in keys if k in self._cache}
            for key in found:
                self._cache.move_to_end(key)
        missing = list(dict.fromkeys(k for k in keys if k not in found))
        if missing:
            fresh = dict(zip(missing, self._encode(missing), strict=True))
            found.update(fresh)
            with self._lock:
                self._cache.update(fresh)
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return np.stack([found[k] for k in keys])


class SemanticSimilarity:
    """Under the Universal Sentence Encoder (both sides encoded alike)."""

    def __init__(self, encoder: SentenceEncoder | None = None, cache_size: int = CACHE_SIZE) -> None:
        self._encoder = encoder
        self._cache = _VectorCache(lambda texts: (self._encoder or shared_encoder()).encode(texts), cache_size)
        self.available = True

    def similarities(self, question: str, texts: list[str]) -> np.ndarray | None:
        """The cosine similarity of each text to the question; None when the encoder cannot load
        (then the answer is chosen on the other evidence)."""
        if not self.available:
            return None
        try:
            vectors = self._cache.vectors([question, *texts])
        except ProviderError as error:
            log.error("sentence encoder unavailable; extractive answers use lexical evidence only: %s", error.message)
            self.available = False
            return None
        similarities: np.ndarray = vectors[1:] @ vectors[0]
        return similarities


class QuerySideSimilarity:
    """Under the embedder search uses for queries: the question embedded as a query, the sentences
    as passages. A remote embedder may fail on one call and work on the next: a failure costs that
    answer this evidence only."""

    def __init__(self, embedder: Embedder, cache_size: int = CACHE_SIZE) -> None:
        self._embedder = embedder  # the server's is a QueryCachingEmbedder: search embedded the question
        self._passages = _VectorCache(embedder.embed_passages, cache_size)

    def similarities(self, question: str, texts: list[str]) -> np.ndarray | None:
        try:
            query = self._embedder.embed_query(question)
            passages = self._passages.vectors(texts)
        except ProviderError as error:
            log.warning("query-side embedder failed; this answer is scored without it: %s", error.message)
            return None
        similarities: np.ndarray = passages @ query
        return similarities
