"""Search and context endpoints. Every result is filtered by the caller's access inside the query."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import PrincipalDep, RetrievalServiceDep
from core.types import NAME_MAX_CHARS, QUERY_MAX_CHARS, CollectionName
from retrieval.context import ContextPublic
from retrieval.filters import parse_filter

router = APIRouter(prefix="/v1", tags=["search"])


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, max_length=QUERY_MAX_CHARS)
    top_k: int = Field(8, ge=1, le=100)
    collection: CollectionName | None = None
    mode: Literal["hybrid", "dense", "lexical"] | None = None
    fusion: Literal["rrf", "dbsf"] | None = None
    filters: dict[str, Any] | None = Field(
        None,
        description="OpenAI's attribute filter (ComparisonFilter or CompoundFilter) on the files' attributes; "
        "an invalid one is a 400 that says why",
    )


class SearchResult(BaseModel):
    chunk_id: str
    document_id: str
    collection: str
    title: str
    source: str
    page: int | None
    pages: list[int]
    heading: str
    text: str
    score: float
    char_start: int
    char_end: int


class SearchResponse(BaseModel):
    results: list[SearchResult]
    mode: str


class ContextRequest(BaseModel):
    query: str = Field(min_length=1, max_length=QUERY_MAX_CHARS)
    max_tokens: int | None = Field(None, ge=1, le=2_000_000, description="Budget for the context; wins over model")
    model: str | None = Field(
        None, max_length=NAME_MAX_CHARS, description="Derive the budget from this model's context window"
    )
    collection: CollectionName | None = None
    top_k: int = Field(12, ge=1, le=100)


@router.post("/search", summary="Hybrid (or dense / lexical) search over the caller's collections")
def search(body: SearchRequest, service: RetrievalServiceDep, principal: PrincipalDep) -> SearchResponse:
    options = service.options(top_k=body.top_k, mode=body.mode, fusion=body.fusion)
    attributes = parse_filter(body.filters) if body.filters is not None else None
    hits = service.search(principal, body.query, collection=body.collection, options=options, attributes=attributes)
    return SearchResponse(
        results=[SearchResult.model_validate(h, from_attributes=True) for h in hits], mode=options.mode
    )


@router.post("/context", summary="The best context for a question, within a token budget, with its source map")
def context(body: ContextRequest, service: RetrievalServiceDep, principal: PrincipalDep) -> ContextPublic:
    assembled, _ = service.context(
        principal,
        body.query,
        max_tokens=body.max_tokens,
        model=body.model,
        collection=body.collection,
        top_k=body.top_k,
    )
    return assembled
