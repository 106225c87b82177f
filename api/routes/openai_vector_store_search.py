"""``POST /v1/vector_stores/{vector_store_id}/search`` in OpenAI's shape (``retrieval/openai_search.py``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field, model_validator

from answer.turn import Spend
from api.deps import ChatServiceDep, PrincipalDep, RetrievalServiceDep
from api.openai_route import OpenAIRoute
from core.errors import NotFound
from core.types import QUERY_MAX_CHARS
from retrieval.filters import Filter, check_filter_size, to_condition
from retrieval.openai_search import DEFAULT_MAX_RESULTS, search_vector_store

router = APIRouter(prefix="/v1", tags=["openai-compatible"], route_class=OpenAIRoute)
QUERIES_MAX_ITEMS = 10
Query = Annotated[str, Field(min_length=1, max_length=QUERY_MAX_CHARS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchRankingOptions(_Strict):
    ranker: Literal["none", "auto", "default-2024-11-15"] = "auto"
    score_threshold: float = Field(0.0, ge=0, le=1)


class VectorStoreSearchRequest(_Strict):
    query: Query | Annotated[list[Query], Field(min_length=1, max_length=QUERIES_MAX_ITEMS)]
    max_num_results: int = Field(DEFAULT_MAX_RESULTS, ge=1, le=50)
    filters: Filter | None = None
    ranking_options: SearchRankingOptions | None = None
    rewrite_query: bool = False

    @model_validator(mode="after")
    def _bounded_filter(self) -> VectorStoreSearchRequest:
        if self.filters is not None:
            check_filter_size(self.filters)
        return self


class TextContent(BaseModel):
    type: Literal["text"] = "text"
    text: str


class SearchResultItem(BaseModel):
    file_id: str
    filename: str
    score: float
    attributes: dict[str, Any] | None
    content: list[TextContent]


class SearchResultsPage(BaseModel):
    object: Literal["vector_store.search_results.page"] = "vector_store.search_results.page"
    search_query: list[str]
    data: list[SearchResultItem]
    has_more: bool = False
    next_page: str | None = None


@router.post(
    "/vector_stores/{vector_store_id}/search",
    summary="Search a vector store (OpenAI's shape); filters apply inside the query",
)
def search(
    vector_store_id: Annotated[str, Path(max_length=64)],
    body: VectorStoreSearchRequest,
    retrieval: RetrievalServiceDep,
    chat: ChatServiceDep,
    principal: PrincipalDep,
) -> SearchResultsPage:
    queries = [body.query] if isinstance(body.query, str) else list(body.query)
    if body.rewrite_query:
        queries = [chat.rewriter.search_query(query, Spend()) for query in queries]
    ranking = body.ranking_options or SearchRankingOptions()
    try:
        hits = search_vector_store(
            retrieval,
            principal,
            vector_store_id,
            queries,
            max_num_results=body.max_num_results,
            attributes=to_condition(body.filters) if body.filters else None,
            score_threshold=ranking.score_threshold,
            ranker=ranking.ranker,
        )
    except NotFound:
        raise NotFound(
            f"No vector store found with id '{vector_store_id}'.", details={"param": "vector_store_id"}
        ) from None
    return SearchResultsPage(
        search_query=queries,
        data=[
            SearchResultItem(
                file_id=hit.file_id,
                filename=hit.filename,
                score=hit.score,
                attributes=hit.attributes,
                content=[TextContent(text=hit.text)],
            )
            for hit in hits
        ],
    )
