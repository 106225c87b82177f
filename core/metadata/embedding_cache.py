"""Vectors already computed, by (hash of the embedded text, model), so re-ingesting unchanged
chunks (re-index, new version, resume after a crash) never embeds them again."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select

from core.metadata.db import Database
from core.metadata.models import EmbeddingCacheEntry


class EmbeddingCache:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get_many(self, hashes: list[str], model: str) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._db.session() as session:
            for start in range(0, len(hashes), 500):
                rows = session.execute(
                    select(EmbeddingCacheEntry.content_hash, EmbeddingCacheEntry.vector).where(
                        EmbeddingCacheEntry.model == model,
                        EmbeddingCacheEntry.content_hash.in_(hashes[start : start + 500]),
                    )
                )
                for content_hash, blob in rows:
                    found[content_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put_many(self, vectors: dict[str, np.ndarray], model: str) -> None:
        if not vectors:
            return
        with self._db.session() as session:
            existing = set(
                session.scalars(
                    select(EmbeddingCacheEntry.content_hash).where(
                        EmbeddingCacheEntry.model == model, EmbeddingCacheEntry.content_hash.in_(list(vectors))
                    )
                )
            )
            session.add_all(
                EmbeddingCacheEntry(content_hash=h, model=model, vector=np.asarray(v, dtype=np.float32).tobytes())
                for h, v in vectors.items()
                if h not in existing
            )
