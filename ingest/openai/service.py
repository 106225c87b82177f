"""The OpenAI knowledge-base services, built from knowbase's own components."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.vectorstore.base import VectorStore
from ingest.openai.batches import BatchService
from ingest.openai.files import FileService
from ingest.openai.store_files import StoreFileService
from ingest.openai.stores import StoreService
from ingest.service import DocumentService

POLL_AFTER_MS = 250  # what the SDK's pollers wait between retrievals (``openai-poll-after-ms``)


@dataclass(frozen=True)
class OpenAIKnowledgeBase:
    files: FileService
    store_files: StoreFileService
    stores: StoreService
    batches: BatchService
    documents: DocumentService


def build_openai_kb(
    *,
    documents: DocumentService,
    vector_store: Callable[[], VectorStore],
    default_chunking: tuple[int, int],
) -> OpenAIKnowledgeBase:
    files = FileService(documents)
    store_files = StoreFileService(
        files=files,
        documents=documents,
        vector_store=vector_store,
        default_chunking=default_chunking,
    )
    return OpenAIKnowledgeBase(
        files=files,
        store_files=store_files,
        stores=StoreService(store_files),
        batches=BatchService(store_files),
        documents=documents,
    )
