"""Vector stores: one small protocol, two real Qdrant engines (embedded Edge, or a server)."""

from core.vectorstore.base import ChunkRecord, StoredHit, StoreFilter, VectorStore
from core.vectorstore.factory import create_vector_store

__all__ = ["ChunkRecord", "StoreFilter", "StoredHit", "VectorStore", "create_vector_store"]
