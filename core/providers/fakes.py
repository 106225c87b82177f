"""Real, small implementations of provider protocols for tests and benchmarks."""

from __future__ import annotations

import hashlib

import numpy as np


class FakeEmbedder:
    """Unit vectors seeded from each text's SHA-256: reproducible across processes.

    Texts sharing words get similar vectors (a bag of hashed words), so ranking tests still mean
    something without the real model.
    """

    model_id = "fake/hashed-bag-of-words"

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim
        self.calls = 0
        self.texts_embedded = 0

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split() or [text]:
            seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
            vector += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.vstack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)
