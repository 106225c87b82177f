"""The tool logic, free of any transport: each method takes the caller and returns a result model.

Ids are opaque to clients but stable: ``chunk:<document id>:<chunk index>`` and ``doc:<document id>``.
Every read goes through the caller's access (collection grants in the DB, read groups in the vector
store filter), and an id the caller may not read gets the same "not found" as one that never existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.mcp.schemas import (
    AskResult,
    Citation,
    DocumentFilters,
    FetchedItem,
    KnowledgeBase,
    KnowledgeBases,
    Passage,
    Passages,
    SearchMode,
    SearchResult,
    SearchResults,
)
from api.mcp.services import KnowledgeServices
from core.access import readable_collections, require_readable
from core.errors import NotFound
from core.metadata.models import Collection, Document
from core.types import Principal
from core.vectorstore import StoreFilter
from retrieval.access import AccessScope, access_scope
from retrieval.search import SearchHit

DEEP_RESEARCH_RESULTS = 10
MAX_FETCH_CHARS = 60_000  # a whole document beyond this is cut (metadata says so)
NEIGHBOURS = 1  # chunks on each side of a fetched chunk
_DOC_ID = re.compile(r"doc:([\w-]{1,64})", re.ASCII)
_CHUNK_ID = re.compile(r"chunk:([\w-]{1,64}):(\d{1,9})", re.ASCII)


@dataclass(frozen=True)
class Links:
    """Pages of knowbase's web UI, under the public base URL."""

    base_url: str

    def document(self, document_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/ui/documents/{quote(document_id, safe='')}"

    def passage(self, document_id: str, start: int, end: int, page: int | None) -> str:
        query = {"start": start, "end": end, **({"page": page} if page else {})}
        return f"{self.document(document_id)}?{urlencode(query)}"


@dataclass(frozen=True)
class DocumentScope(AccessScope):
    """An access scope narrowed to some documents (filters of ``search_knowledge_base``)."""

    document_ids: tuple[str, ...] = field(default=())

    def store_filter(self, **extra: Any) -> StoreFilter:
        extra.setdefault("document_ids", list(self.document_ids))
        return super().store_filter(**extra)


def chunk_ref(hit: SearchHit) -> str:
    return f"chunk:{hit.document_id}:{hit.chunk_index}"


def _title(hit: SearchHit) -> str:
    where = f"p. {hit.page}" if hit.page else hit.heading
    title = hit.title or hit.source
    return f"{title} — {where}" if where and where != title else title


class KnowledgeTools:
    def __init__(self, services: KnowledgeServices) -> None:
        self.services = services

    # Deep-research contract ---------------------------------------------------------------------
    def search(self, principal: Principal, query: str, links: Links) -> SearchResults:
        service = self.services.retrieval()
        hits = service.search(principal, query, options=service.options(top_k=DEEP_RESEARCH_RESULTS))
        return SearchResults(
            results=[
                SearchResult(
                    id=chunk_ref(h), title=_title(h), url=links.passage(h.document_id, h.char_start, h.char_end, h.page)
                )
                for h in hits
            ]
        )

    def fetch(self, principal: Principal, item_id: str, links: Links) -> FetchedItem:
        try:
            if match := _DOC_ID.fullmatch(item_id.strip()):
                return self._fetch_document(principal, match[1], links)
            if match := _CHUNK_ID.fullmatch(item_id.strip()):
                return self._fetch_chunk(principal, match[1], int(match[2]), links)
        except NotFound:
            pass  # the same answer whether it does not exist or the caller may not read it
        raise NotFound(f"nothing with id '{item_id}' was found; use an id returned by search")

    def _fetch_document(self, principal: Principal, document_id: str, links: Links) -> FetchedItem:
        documents = self.services.documents()
        with self.services.sessions() as session:
            document = documents.get(session=session, principal=principal, document_id=document_id)
            text = documents.text_around(
                session=session,
                principal=principal,
                document_id=document_id,
                start=0,
                end=MAX_FETCH_CHARS,
                window=0,
            )
        return FetchedItem(
            id=f"doc:{document.id}",
            title=document.title,
            text=text["quote"],
            url=links.document(document.id),
            metadata={
                "document_id": document.id,
                "collection": document.collection,
                "source": document.source,
                "format": document.format,
                "pages": document.pages,
                "updated_at": document.updated_at.isoformat(),
                "length": text["length"],
                "truncated": text["length"] > MAX_FETCH_CHARS,
            },
        )

    def _fetch_chunk(self, principal: Principal, document_id: str, index: int, links: Links) -> FetchedItem:
        documents = self.services.documents()
        with self.services.sessions() as session:
            document = documents.get(session=session, principal=principal, document_id=document_id)
            scope = access_scope(session=session, principal=principal)
        wanted = [i for i in range(index - NEIGHBOURS, index + NEIGHBOURS + 1) if i >= 0]
        where = scope.store_filter(document_ids=[document.id], chunk_indexes=wanted, version=document.version)
        store = self.services.retrieval().retriever.store
        chunks = sorted(
            (SearchHit.from_stored(p, scope) for p in store.fetch(where, limit=len(wanted))),
            key=lambda c: c.chunk_index,
        )
        center = next((c for c in chunks if c.chunk_index == index), None)
        if center is None:
            raise NotFound(f"chunk {index} of document '{document_id}' does not exist")
        start, end = chunks[0].char_start, chunks[-1].char_end
        try:
            with self.services.sessions() as session:
                text = documents.text_around(
                    session=session,
                    principal=principal,
                    document_id=document.id,
                    start=start,
                    end=min(end, start + MAX_FETCH_CHARS),
                    window=0,
                )["quote"]
        except NotFound:  # no extracted text file (older data): the chunks themselves
            text = "\n".join(c.text for c in chunks)[:MAX_FETCH_CHARS]
        return FetchedItem(
            id=chunk_ref(center),
            title=_title(center),
            text=text,
            url=links.passage(document.id, center.char_start, center.char_end, center.page),
            metadata={
                "document_id": document.id,
                "document_url": links.document(document.id),
                "collection": document.collection,
                "source": document.source,
                "page": center.page,
                "pages": sorted({p for c in chunks for p in c.pages}),
                "heading": center.heading,
                "chunk_index": index,
                "neighbours": [c.chunk_index for c in chunks if c is not center],
                "char_start": start,
                "char_end": end,
            },
        )

    # Richer tools ---------------------------------------------------------------------------------
    def search_knowledge_base(
        self,
        principal: Principal,
        query: str,
        links: Links,
        *,
        collections: list[str] | None = None,
        filters: DocumentFilters | None = None,
        top_k: int = 8,
        mode: SearchMode | None = None,
    ) -> Passages:
        service = self.services.retrieval()
        options = service.options(top_k=top_k, mode=mode)
        with self.services.sessions() as session:
            scope = access_scope(session=session, principal=principal)
            if collections:  # each must be readable; an unreadable one looks like a missing one
                names = {require_readable(session=session, principal=principal, name=n): n for n in collections}
                scope = replace(scope, collection_names=names)
            document_ids = self._filtered_documents(session, principal, filters) if filters else None
        if document_ids is not None:
            if not document_ids:
                return Passages(results=[], mode=options.mode)
            scope = DocumentScope(scope.collection_names, scope.groups, document_ids=tuple(document_ids))
        hits = service.retriever.search(query, scope, options)
        return Passages(
            results=[
                Passage(
                    id=chunk_ref(h),
                    document_id=h.document_id,
                    title=h.title or h.source,
                    source=h.source,
                    collection=h.collection,
                    page=h.page,
                    heading=h.heading,
                    score=round(h.score, 6),
                    text=h.text,
                    url=links.passage(h.document_id, h.char_start, h.char_end, h.page),
                )
                for h in hits
            ],
            mode=options.mode,
        )

    def _filtered_documents(self, session: Session, principal: Principal, filters: DocumentFilters) -> list[str] | None:
        ids: set[str] | None = set(filters.document_ids) if filters.document_ids is not None else None
        if filters.title:
            page = self.services.documents().list(session=session, principal=principal, query=filters.title, limit=500)
            titled = {d.id for d in page.items}
            ids = titled if ids is None else ids & titled
        return sorted(ids) if ids is not None else None

    def list_knowledge_bases(self, principal: Principal) -> KnowledgeBases:
        with self.services.sessions() as session:
            ids = list(readable_collections(session=session, principal=principal).values())
            counts = select(Document.collection_id, func.count(Document.id)).where(Document.collection_id.in_(ids))
            total: dict[str, int] = dict(session.execute(counts.group_by(Document.collection_id)).all())
            ready: dict[str, int] = dict(
                session.execute(counts.where(Document.status == "ready").group_by(Document.collection_id)).all()
            )
            rows = session.execute(
                select(Collection.id, Collection.name, Collection.description)
                .where(Collection.id.in_(ids))
                .order_by(Collection.name)
            ).all()
        return KnowledgeBases(
            knowledge_bases=[
                KnowledgeBase(
                    name=name, description=description, documents=total.get(cid, 0), ready_documents=ready.get(cid, 0)
                )
                for cid, name, description in rows
            ]
        )

    def ask(self, principal: Principal, question: str, links: Links, *, collection: str | None = None) -> AskResult:
        result = self.services.ask(principal, question, collection)
        return AskResult(
            answer=result.answer,
            mode=result.mode,
            citations=[
                Citation(
                    n=c.n,
                    quote=c.quote,
                    document_id=c.document_id,
                    title=c.title,
                    source=c.source,
                    page=c.page,
                    url=links.passage(c.document_id, c.start, c.end, c.page),
                    attributed=c.attributed,
                )
                for c in result.citations
            ],
            moderation=result.moderation,
            conversation_id=result.conversation_id,
            unsupported_claims=result.unsupported_claims,
        )
