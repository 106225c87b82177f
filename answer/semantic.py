"""How close a candidate sentence is in meaning to the question, under two models:

- the multilingual Universal Sentence Encoder (about 1 ms a short text on one core): strong across
  languages, so a sentence in the other language than the question still counts;
- the query-side model of search (e5: the question as a query, the sentence as a passage): strong
  within one language, where USE is weak (bench.articles_qa: the answering sentence ranked first among
  a question's candidates 66% of the time under e5, 42% under USE).

Vectors are cached by text, so a popular passage's sentences are embedded once."""

from __future__ import annotations

import logging

import numpy as np

from core.errors import ProviderError
from core.providers.embeddings import Embedder
from core.providers.sentence_encoder import SentenceEncoder, shared_encoder
from core.providers.vector_cache import VectorCache

log = logging.getLogger(__name__)

CACHE_SIZE = 8192  # texts; 2 KB each (384 float32 dimensions, both models)
MAX_TEXT_CHARS = 1000  # a candidate is a sentence or a clause; longer text only costs time


class SemanticSimilarity:
    """Under the Universal Sentence Encoder (both sides encoded alike)."""

    def __init__(self, encoder: SentenceEncoder | None = None, cache_size: int = CACHE_SIZE) -> None:
        self._encoder = encoder
        self._cache = VectorCache(cache_size)
        self.available = True

    def similarities(self, question: str, texts: list[str]) -> np.ndarray | None:
        """The cosine similarity of each text to the question; None when the encoder cannot load
        (then the answer is chosen on the other evidence)."""
        if not self.available:
            return None
        try:
            keys = [text[:MAX_TEXT_CHARS] for text in [question, *texts]]
            vectors = self._cache.vectors(keys, self._encode_each)
        except ProviderError as error:
            log.error("sentence encoder unavailable; extractive answers use lexical evidence only: %s", error.message)
            self.available = False
            return None
        similarities: np.ndarray = vectors[1:] @ vectors[0]
        return similarities

    def _encode_each(self, texts: list[str]) -> np.ndarray:
        """One text per call: in a batch the model's vector for a text moves with the other texts (by up
        to 0.01 a dimension, measured), so a sentence's similarity, and an answer near the threshold,
        would depend on the sentences embedded with it and on what the cache held. Alone it is the same
        every time, at the same cost (about 1 ms a sentence, measured for 32)."""
        encoder = self._encoder or shared_encoder()
        return np.concatenate([encoder.encode([text]) for text in texts]) if texts else encoder.encode([])


class QuerySideSimilarity:
    """Under the embedder search uses for queries: the question embedded as a query, the sentences
    as passages. A remote embedder may fail on one call and work on the next: a failure costs that
    answer this evidence only."""

    def __init__(self, embedder: Embedder, cache_size: int = CACHE_SIZE) -> None:
        self._embedder = embedder  # the server's is a QueryCachingEmbedder: search embedded the question
        self._passages = VectorCache(cache_size)

    def similarities(self, question: str, texts: list[str]) -> np.ndarray | None:
        try:
            query = self._embedder.embed_query(question)
            passages = self._passages.vectors([text[:MAX_TEXT_CHARS] for text in texts], self._embedder.embed_passages)
        except ProviderError as error:
            log.warning("query-side embedder failed; this answer is scored without it: %s", error.message)
            return None
        similarities: np.ndarray = passages @ query
        return similarities
