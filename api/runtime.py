"""The composition root: builds every component from ``Settings`` once, lazily, and closes them.

The CLI and the web app share it. Heavy parts (embedder, vector store) open on first use, so
``knowbase keys …`` never touches the embedded Qdrant engine that a running server owns.
"""

from __future__ import annotations

import logging
import threading
from functools import cached_property

from api.chat.service import ChatService
from core.metadata.bootstrap import BootstrapResult, bootstrap
from core.metadata.db import Database
from core.metadata.embedding_cache import EmbeddingCache
from core.providers.embeddings import Embedder, create_embedder
from core.providers.lexical import LexicalEncoder
from core.providers.llm import ChatModel, OpenAICompatibleChat
from core.providers.moderation import Moderator, OpenAIModerator
from core.providers.moderation_classifier import LocalModerator
from core.settings import Settings
from core.vectorstore import VectorStore, create_vector_store
from ingest.chunker import Chunker
from ingest.isolation import ParserPool
from ingest.jobs import IngestionWorker
from ingest.pipeline import IngestPipeline
from ingest.service import DocumentService
from retrieval.rerank import HttpReranker
from retrieval.search import Retriever
from retrieval.service import RetrievalService

log = logging.getLogger(__name__)


def open_database(settings: Settings) -> Database:
    """The metadata DB, migrated and bootstrapped, without opening the vector store (CLI commands)."""
    runtime = Runtime(settings)
    runtime.bootstrap()
    return runtime.db


class Runtime:
    def __init__(self, settings: Settings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._bootstrapped: BootstrapResult | None = None
        self._background = False
        if embedder is not None:
            self.__dict__["embedder"] = embedder
        settings.data_dir.mkdir(parents=True, exist_ok=True)

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.resolved_database_url)

    def bootstrap(self) -> BootstrapResult:
        """Migrate the schema and create first-start state (idempotent)."""
        with self._lock:
            if self._bootstrapped is None:
                key = self.settings.admin_key.get_secret_value() if self.settings.admin_key else None
                self._bootstrapped = bootstrap(self.db, key)
            return self._bootstrapped

    @cached_property
    def embedder(self) -> Embedder:
        with self._lock:
            return create_embedder(self.settings)

    @cached_property
    def lexical(self) -> LexicalEncoder:
        return LexicalEncoder()

    @cached_property
    def vector_store(self) -> VectorStore:
        with self._lock:
            store = create_vector_store(self.settings)
            store.ensure_collection()
            return store

    @cached_property
    def parser(self) -> ParserPool:
        return ParserPool()

    @cached_property
    def pipeline(self) -> IngestPipeline:
        with self._lock:
            return IngestPipeline(
                embedder=self.embedder,
                lexical=self.lexical,
                store=self.vector_store,
                cache=EmbeddingCache(self.db),
                chunker=Chunker(self.settings.chunk_tokens, self.settings.chunk_overlap_tokens),
                parser=self.parser,
                texts_dir=self.settings.data_dir / "texts",
                max_pages=self.settings.max_pages,
                max_chars=self.settings.max_extracted_chars,
            )

    @cached_property
    def worker(self) -> IngestionWorker:
        return IngestionWorker(self.db, lambda: self.pipeline, threads=self.settings.ingest_workers)

    @cached_property
    def documents(self) -> DocumentService:
        return DocumentService(
            self.settings.uploads_dir,
            on_queued=self.worker.wake,
            remove_points=lambda document_id: self.pipeline.remove_document(document_id),
        )

    @cached_property
    def retrieval(self) -> RetrievalService:
        settings = self.settings
        reranker = None
        if settings.reranker_url:
            key = settings.reranker_api_key.get_secret_value() if settings.reranker_api_key else None
            reranker = HttpReranker(settings.reranker_url, settings.reranker_style, settings.reranker_model, key)
        retriever = Retriever(embedder=self.embedder, lexical=self.lexical, store=self.vector_store, reranker=reranker)
        return RetrievalService(db=self.db, retriever=retriever, settings=settings)

    @cached_property
    def llm(self) -> ChatModel | None:
        settings = self.settings
        if not settings.llm_enabled:
            return None
        return OpenAICompatibleChat(
            settings.llm_base_url,
            settings.llm_model,
            [k.get_secret_value() for k in settings.llm_api_keys],
            fallback_model=settings.llm_fallback_model,
            temperature=settings.llm_temperature,
            max_tokens=settings.llm_max_tokens,
            timeout_s=settings.llm_timeout_s,
        )

    @cached_property
    def moderator(self) -> Moderator:
        settings = self.settings
        if settings.moderation_provider == "openai":
            key = settings.moderation_api_key.get_secret_value() if settings.moderation_api_key else None
            return OpenAIModerator(settings.moderation_base_url, key)
        return LocalModerator()

    @cached_property
    def chat(self) -> ChatService:
        return ChatService(
            db=self.db, retrieval=self.retrieval, llm=self.llm, moderator=self.moderator, settings=self.settings
        )

    def readiness(self) -> dict[str, bool]:
        checks = {"database": self.db.ping()}
        try:
            checks["vector_store"] = self.vector_store.ping()
        except Exception:
            log.exception("vector store unavailable")
            checks["vector_store"] = False
        return checks

    def start_background(self) -> None:
        """Open the vector store and start the ingestion worker (the web server calls this)."""
        self.vector_store  # noqa: B018 - fail fast at start-up if the store cannot be opened
        self.worker.start()
        self._background = True

    def stop_background(self) -> None:
        if self._background:
            self.worker.stop()
            self._background = False

    def close(self) -> None:
        for name in ("parser", "vector_store", "db"):
            if name in self.__dict__:
                try:
                    self.__dict__[name].close()
                except Exception:
                    log.exception("error while closing", extra={"component": name})
