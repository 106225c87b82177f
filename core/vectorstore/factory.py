from __future__ import annotations

from core.providers.sentence_encoder import DIMENSIONS as MULTILINGUAL_DIMENSIONS
from core.settings import Settings
from core.vectorstore.base import VectorStore


def create_vector_store(settings: Settings) -> VectorStore:
    """A Qdrant server when ``KNOWBASE_QDRANT_URL`` is set, else the embedded engine in the data dir.
    Callers never branch on which one they got."""
    multilingual_dim = MULTILINGUAL_DIMENSIONS if settings.multilingual_search else None
    if settings.qdrant_url:
        from qdrant_client import QdrantClient

        from core.vectorstore.server import ClusterLayout, ServerVectorStore

        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        client = QdrantClient(url=settings.qdrant_url, api_key=api_key, timeout=30)
        layout = ClusterLayout(
            shard_number=settings.qdrant_shard_number,
            replication_factor=settings.qdrant_replication_factor,
            write_consistency_factor=settings.qdrant_write_consistency_factor,
            on_disk_payload=settings.qdrant_on_disk_payload,
            on_disk_vectors=settings.qdrant_on_disk_vectors,
        )
        return ServerVectorStore(client, settings.qdrant_collection, settings.embedding_dim, multilingual_dim, layout)
    from core.vectorstore.edge import EdgeVectorStore

    return EdgeVectorStore(settings.qdrant_path, settings.embedding_dim, multilingual_dim)
