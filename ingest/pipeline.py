"""parse → chunk → embed → store, for one document version.

New chunks are written *staged* (under a collection id nobody can read), then published in one
payload update, then older versions are deleted: searches see the old version until the new one
is complete, and never both. Point ids are deterministic, so a resumed job overwrites its own
partial work instead of duplicating it.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from core.filestore import FileStore
from core.metadata.embedding_cache import EmbeddingCache
from core.metadata.lexical_stats import LexicalStatistics
from core.providers.embeddings import Embedder
from core.providers.lexical import LexicalEncoder
from core.types import TITLE_MAX_CHARS
from core.vectorstore.base import ChunkRecord, StoreFilter, VectorStore, point_id
from ingest.chunker import Chunk, Chunker
from ingest.isolation import ParserPool
from ingest.multilingual import SentenceEncoding, chunk_script, multilingual_text
from ingest.parsers import ParsedDocument

log = logging.getLogger(__name__)
STAGING_PREFIX = "staging:"


class Interrupted(Exception):
    """The worker is stopping; the job stays in its state and resumes at the next start."""


class Superseded(Exception):
    """The document was deleted or got a newer version while this one was ingested."""


@dataclass(frozen=True)
class DocumentTarget:
    document_id: str
    version: int
    collection_id: str
    read_groups: list[str]
    title: str
    source_name: str
    path: Path
    attributes: dict[str, Any] | None = None  # OpenAI file attributes, on every chunk's payload
    chunking: tuple[int, int] | None = None  # (max tokens, overlap tokens) instead of the server's


@dataclass
class IngestOutcome:
    title: str
    pages: int | None
    chunk_count: int
    token_count: int
    embedded: int  # chunks actually sent to the embedder (the rest came from the cache)
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def embedding_text(title: str, chunk: Chunk) -> str:
    """What the embedder and the lexical encoder see: the chunk with its title and section."""
    heading = " > ".join(h for h in chunk.heading_path if h != title)
    return "\n".join(part for part in (title, heading, chunk.text) if part)


class IngestPipeline:
    def __init__(
        self,
        *,
        embedder: Embedder,
        lexical: LexicalEncoder,
        store: VectorStore,
        cache: EmbeddingCache,
        statistics: LexicalStatistics,
        chunker: Chunker,
        parser: ParserPool,
        texts: FileStore,
        max_pages: int = 5000,
        max_chars: int = 20_000_000,
        batch_size: int = 8,
        multilingual: SentenceEncoding | None = None,
    ) -> None:
        self.embedder, self.lexical, self.store, self.cache = embedder, lexical, store, cache
        self.statistics = statistics
        self.chunker, self.parser = chunker, parser
        self.texts = texts  # extracted texts under texts/<document>.v<version>.txt
        self.max_pages, self.max_chars = max_pages, max_chars
        # Small batches keep the shared embedder responsive to search queries during ingestion.
        self.batch_size = batch_size
        # The second dense vector, only when the store keeps one (``multilingual_search``).
        self.multilingual = multilingual if store.multilingual_dim else None

    def run(
        self,
        target: DocumentTarget,
        *,
        on_stage: Callable[[str], None] = lambda stage: None,
        on_progress: Callable[[int, int], None] = lambda done, total: None,
        should_stop: Callable[[], bool] = lambda: False,
        still_current: Callable[[], bool] = lambda: True,
    ) -> IngestOutcome:
        timings: dict[str, float] = {}
        on_stage("parsing")
        started = time.perf_counter()
        parsed = self.parser.parse(target.path, target.source_name, max_pages=self.max_pages, max_chars=self.max_chars)
        timings["parse"] = time.perf_counter() - started

        started = time.perf_counter()
        chunker = Chunker(*target.chunking) if target.chunking else self.chunker
        chunks = chunker.run(parsed)
        # An extracted title can be any length (a huge first heading); the column holds 500.
        title = (target.title or parsed.title or Path(target.source_name).stem)[:TITLE_MAX_CHARS]
        self._save_text(target, parsed)
        timings["chunk"] = time.perf_counter() - started

        on_stage("embedding")
        on_progress(0, len(chunks))
        chunk_terms: list[list[int]] = []
        embedded, timings["embed"], timings["store"] = self._embed_and_stage(
            target, title, chunks, on_progress, should_stop, chunk_terms
        )

        started = time.perf_counter()
        if not still_current():
            self.store.delete(StoreFilter(document_ids=[target.document_id], version=target.version))
            raise Superseded()
        self.publish(target, chunk_terms)
        timings["store"] += time.perf_counter() - started
        return IngestOutcome(
            title=title,
            pages=parsed.pages,
            chunk_count=len(chunks),
            token_count=sum(c.token_count for c in chunks),
            embedded=embedded,
            timings=timings,
            warnings=parsed.warnings,
        )

    def _embed_and_stage(
        self,
        target: DocumentTarget,
        title: str,
        chunks: list[Chunk],
        on_progress: Callable[[int, int], None],
        should_stop: Callable[[], bool],
        chunk_terms: list[list[int]],
    ) -> tuple[int, float, float]:
        """Embeds and stores the chunks staged; appends each chunk's sparse terms to ``chunk_terms``."""
        embed_s = store_s = 0.0
        embedded = 0
        model = self.embedder.model_id
        for start in range(0, len(chunks), self.batch_size):
            if should_stop():
                raise Interrupted()
            batch = chunks[start : start + self.batch_size]
            texts = [embedding_text(title, c) for c in batch]
            keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
            began = time.perf_counter()
            vectors = self.cache.get_many(keys, model)
            missing = [i for i, key in enumerate(keys) if key not in vectors]
            if missing:
                fresh = self.embedder.embed_passages([texts[i] for i in missing])
                new = {keys[i]: fresh[row] for row, i in enumerate(missing)}
                self.cache.put_many(new, model)
                vectors.update(new)
                embedded += len(missing)
            multilingual = (
                self.multilingual.encode([multilingual_text(title, " > ".join(c.heading_path), c.text) for c in batch])
                if self.multilingual is not None
                else None
            )
            embed_s += time.perf_counter() - began

            began = time.perf_counter()
            records = [
                ChunkRecord(
                    id=point_id(target.document_id, target.version, chunk.index),
                    dense=np.asarray(vectors[key], dtype=np.float32),
                    sparse=self.lexical.encode_document(text),
                    payload=self._payload(target, title, chunk, staged=True),
                    multilingual=multilingual[row] if multilingual is not None else None,
                )
                for row, (chunk, key, text) in enumerate(zip(batch, keys, texts))
            ]
            self.store.upsert(records)
            chunk_terms.extend(r.sparse.indices for r in records)
            store_s += time.perf_counter() - began
            on_progress(min(start + len(batch), len(chunks)), len(chunks))
        return embedded, embed_s, store_s

    def _payload(self, target: DocumentTarget, title: str, chunk: Chunk, *, staged: bool) -> dict[str, Any]:
        return {
            "document_id": target.document_id,
            "collection_id": STAGING_PREFIX + target.document_id if staged else target.collection_id,
            "read_groups": [] if staged else target.read_groups,
            "version": target.version,
            "chunk_index": chunk.index,
            "text": chunk.text,
            "title": title,
            "source": target.source_name,
            "pages": list(chunk.pages),
            "page": chunk.page,
            "page_starts": [list(pair) for pair in chunk.page_starts],
            "heading": " > ".join(chunk.heading_path),
            "char_start": chunk.char_start,
            "char_end": chunk.char_end,
            "token_count": chunk.token_count,
            "content_hash": chunk.content_hash,
            "script": chunk_script(title, chunk.text),  # for the cross-lingual prefetch (see plan_query)
            "attributes": dict(target.attributes or {}),
        }

    def publish(self, target: DocumentTarget, chunk_terms: list[list[int]]) -> None:
        """Make the staged version visible, drop every other version of the document, and count
        the version (instead of the old ones) in its collection's BM25 statistics."""
        this_version = StoreFilter(document_ids=[target.document_id], version=target.version)
        self.store.set_payload(this_version, {"collection_id": target.collection_id, "read_groups": target.read_groups})
        self.store.delete(StoreFilter(exclude_version_of=(target.document_id, target.version)))
        self.statistics.record_version(target.document_id, target.version, target.collection_id, chunk_terms)
        flush = getattr(self.store, "flush", None)
        if flush:
            flush()
        for key in self.texts.keys(text_key(target.document_id)):
            if key != text_key(target.document_id, target.version):
                self.texts.delete(key)

    def _save_text(self, target: DocumentTarget, parsed: ParsedDocument) -> None:
        """Keep the extracted text: citations point at offsets into it."""
        self.texts.put_text(text_key(target.document_id, target.version), parsed.text)

    def remove_document(self, document_id: str) -> None:
        remove_document_data(self.store, self.texts, document_id)


def text_key(document_id: str, version: int | None = None) -> str:
    """The file store key of a version's extracted text; without a version, the prefix of all."""
    return f"texts/{document_id}.v" + (f"{version}.txt" if version is not None else "")


def remove_document_data(store: VectorStore, texts: FileStore, document_id: str) -> None:
    """Delete a document's points and extracted texts. Needs only the store: no embedder loads."""
    store.delete(StoreFilter(document_ids=[document_id]))
    for key in texts.keys(text_key(document_id)):
        texts.delete(key)
