"""Per-collection BM25 statistics, so that lexical scores depend only on what the caller may read.

Chunks are stored with corpus-independent BM25 term-frequency weights (no IDF modifier in Qdrant);
the query carries ``idf(term)`` computed here over the caller's readable collections. Every chunk of
a collection shares its read groups, so "readable collections" is exactly the caller's scope.

Counts change in one DB transaction per published document version (add the new version, subtract
the versions it replaces) and per deleted document, in any process that shares the metadata DB.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.metadata.db import Database
from core.metadata.models import Collection, LexicalDocumentTerms, LexicalTermCount
from core.providers.lexical import SparseVector
from core.vectorstore.base import StoreFilter, VectorStore

log = logging.getLogger(__name__)
TOTAL_CHUNKS_TERM = -1


def bm25_idf(total_chunks: int, containing: int) -> float:
    """Qdrant's IDF formula (the one its IDF modifier used), over the caller's scope."""
    return math.log((total_chunks - containing + 0.5) / (containing + 0.5) + 1.0)


def _pack(counts: Counter[int]) -> bytes:
    pairs = np.array(sorted(counts.items()), dtype="<u4").reshape(-1, 2)
    return pairs.tobytes()


def _unpack(blob: bytes) -> Counter[int]:
    pairs = np.frombuffer(blob, dtype="<u4").reshape(-1, 2)
    return Counter({int(term): int(count) for term, count in pairs})


def _apply(session: Session, collection_id: str, counts: Counter[int], chunks: int, sign: int) -> None:
    """Add (sign=1) or subtract (sign=-1) one document version's counts, then drop zero rows."""
    rows = [{"collection_id": collection_id, "term": term, "chunks": sign * n} for term, n in counts.items()]
    rows.append({"collection_id": collection_id, "term": TOTAL_CHUNKS_TERM, "chunks": sign * chunks})
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    statement: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(LexicalTermCount)
    statement = statement.on_conflict_do_update(
        index_elements=["collection_id", "term"],
        set_={"chunks": LexicalTermCount.chunks + statement.excluded.chunks},
    )
    session.execute(statement, rows)
    if sign < 0:
        session.execute(
            delete(LexicalTermCount).where(
                LexicalTermCount.collection_id == collection_id, LexicalTermCount.chunks <= 0
            )
        )


def record_version(
    *, session: Session, document_id: str, version: int, collection_id: str, chunk_terms: Iterable[Sequence[int]]
) -> None:
    """A document version was published: count it and stop counting every other version of it.
    Idempotent (a resumed job publishes again); an older version arriving late is ignored."""
    existing = session.scalars(select(LexicalDocumentTerms).where(LexicalDocumentTerms.document_id == document_id))
    rows = list(existing)
    if any(row.version >= version for row in rows):
        return
    for row in rows:
        _apply(session, row.collection_id, _unpack(row.terms), row.chunks, -1)
        session.delete(row)
    counts: Counter[int] = Counter()
    chunks = 0
    for terms in chunk_terms:
        counts.update(set(terms))
        chunks += 1
    _apply(session, collection_id, counts, chunks, 1)
    session.add(
        LexicalDocumentTerms(
            document_id=document_id, version=version, collection_id=collection_id, chunks=chunks, terms=_pack(counts)
        )
    )
    session.flush()


def forget_document(*, session: Session, document_id: str) -> None:
    """The document was deleted: none of its versions counts any more."""
    for row in session.scalars(select(LexicalDocumentTerms).where(LexicalDocumentTerms.document_id == document_id)):
        _apply(session, row.collection_id, _unpack(row.terms), row.chunks, -1)
        session.delete(row)
    session.flush()


def scope_statistics(
    *, session: Session, collection_ids: Sequence[str], terms: Sequence[int]
) -> tuple[int, dict[int, int]]:
    """(chunks in the scope, term -> chunks in the scope containing it) over ``collection_ids``."""
    if not collection_ids:
        return 0, {}
    rows = session.execute(
        select(LexicalTermCount.term, func.sum(LexicalTermCount.chunks))
        .where(
            LexicalTermCount.collection_id.in_(list(collection_ids)),
            LexicalTermCount.term.in_([*terms, TOTAL_CHUNKS_TERM]),
        )
        .group_by(LexicalTermCount.term)
    ).all()
    counts = {int(term): int(total or 0) for term, total in rows}
    return counts.pop(TOTAL_CHUNKS_TERM, 0), counts


def total_chunks(*, session: Session) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(LexicalTermCount.chunks), 0)).where(
                LexicalTermCount.term == TOTAL_CHUNKS_TERM
            )
        )
        or 0
    )


def rebuild(*, session: Session, versions: Iterable[tuple[str, int, str, list[list[int]]]]) -> int:
    """Replace all statistics with ``versions`` = (document id, version, collection id, chunk terms)
    read from the vector store; versions of unknown collections are skipped. Returns versions kept."""
    session.execute(delete(LexicalTermCount))
    session.execute(delete(LexicalDocumentTerms))
    known = set(session.scalars(select(Collection.id)))
    kept = 0
    for document_id, version, collection_id, chunk_terms in versions:
        if collection_id in known:
            record_version(
                session=session,
                document_id=document_id,
                version=version,
                collection_id=collection_id,
                chunk_terms=chunk_terms,
            )
            kept += 1
    return kept


class LexicalStatistics:
    """The statistics behind one metadata DB, for the ingestion pipeline and the retriever."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record_version(self, document_id: str, version: int, collection_id: str, chunk_terms: list[list[int]]) -> None:
        with self.db.session() as session:
            record_version(
                session=session,
                document_id=document_id,
                version=version,
                collection_id=collection_id,
                chunk_terms=chunk_terms,
            )

    def forget_document(self, document_id: str) -> None:
        with self.db.session() as session:
            forget_document(session=session, document_id=document_id)

    def counts(self, terms: Sequence[int], collection_ids: Sequence[str]) -> ScopeCounts:
        """How many chunks of ``collection_ids`` there are and hold each of ``terms`` (one query)."""
        with self.db.session() as session:
            total, containing = scope_statistics(session=session, collection_ids=collection_ids, terms=terms)
        return ScopeCounts(total, containing)


@dataclass(frozen=True)
class ScopeCounts:
    total: int  # chunks in the caller's scope
    containing: dict[int, int]  # term -> chunks in the scope holding it (terms none holds are left out)

    def weigh(self, query: SparseVector) -> SparseVector:
        """The query's terms weighted by their IDF over the scope only. Terms no readable chunk
        contains keep the highest IDF (they match nothing the caller can see anyway)."""
        weights = [
            bm25_idf(self.total, self.containing.get(term, 0)) * value
            for term, value in zip(query.indices, query.values, strict=True)
        ]
        return SparseVector(list(query.indices), weights)


def ensure_lexical_statistics(db: Database, store: VectorStore) -> bool:
    """At start: if the statistics do not account for exactly the published chunks in the store
    (a store from before these statistics, a crash between publishing and counting, a restored
    backup), rebuild them from the store's sparse vectors. Returns whether it rebuilt."""
    with db.session() as session:
        collection_ids = list(session.scalars(select(Collection.id)))
        counted = total_chunks(session=session)
    stored = store.count(StoreFilter(collection_ids=collection_ids))
    if stored == counted:
        return False
    log.info("rebuilding lexical statistics from the vector store", extra={"chunks": stored, "counted": counted})
    versions: dict[tuple[str, int, str], list[list[int]]] = defaultdict(list)
    for payload, indices in store.scan_sparse():
        collection_id = str(payload.get("collection_id", ""))
        if collection_id in collection_ids:
            key = (str(payload["document_id"]), int(payload.get("version", 1)), collection_id)
            versions[key].append(indices)
    with db.session() as session:
        rebuild(
            session=session,
            versions=((document_id, version, cid, terms) for (document_id, version, cid), terms in versions.items()),
        )
    return True
