"""Sparse lexical vectors (BM25 term weights) computed locally, identically for both vector stores.

Qdrant Edge's ``Bm25`` with the Multilingual tokenizer segments Chinese into words (not whitespace
or single characters) and stems English. Document vectors hold only the BM25 term-frequency part
(with a fixed ``avg_len``, so they do not depend on the corpus); the IDF part comes with the query,
computed over the caller's readable collections (``core.metadata.lexical_stats``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from qdrant_edge import Bm25, Bm25Config, TokenizerType


@dataclass(frozen=True)
class SparseVector:
    indices: list[int]
    values: list[float]


class LexicalEncoder:
    model_id = "bm25-multilingual-v1"

    def __init__(self, avg_len: float = 200.0) -> None:
        self._avg_len = avg_len

    @cached_property
    def _model(self) -> Bm25:
        return Bm25(Bm25Config(tokenizer=TokenizerType.Multilingual, avg_len=self._avg_len))

    def encode_document(self, text: str) -> SparseVector:
        vector = self._model.embed_document(text)
        return SparseVector(list(vector.indices), list(vector.values))

    def encode_query(self, text: str) -> SparseVector:
        vector = self._model.embed_query(text)
        return SparseVector(list(vector.indices), list(vector.values))
