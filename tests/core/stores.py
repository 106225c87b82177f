"""Both vector store engines for contract-style tests: the embedded Edge store in a temporary folder,
and the Qdrant server adapter against qdrant-client's local (in-memory) mode."""

from __future__ import annotations

from pathlib import Path

from core.vectorstore.base import VectorStore


def open_store(engine: str, folder: Path, dim: int, multilingual_dim: int | None = None) -> VectorStore:
    """A store of ``engine`` ("edge" or "server") with its collection made."""
    store: VectorStore
    if engine == "edge":
        from core.vectorstore.edge import EdgeVectorStore

        store = EdgeVectorStore(folder / "qdrant", dim, multilingual_dim)
    else:
        from qdrant_client import QdrantClient

        from core.vectorstore.server import ServerVectorStore

        store = ServerVectorStore(QdrantClient(":memory:"), "chunks", dim, multilingual_dim)
    store.ensure_collection()
    return store
