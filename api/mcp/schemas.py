"""Tool inputs and results. ``SearchResults`` and ``FetchedItem`` follow the deep-research contract
(ChatGPT connectors, OpenAI deep research) field for field."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

MAX_QUERY_CHARS = 4000
MAX_QUESTION_CHARS = 8000
MAX_ID_CHARS = 200
MAX_TOP_K = 50
MAX_COLLECTIONS = 20
MAX_FILTER_DOCUMENTS = 50
SearchMode = Literal["hybrid", "dense", "lexical"]


class SearchResult(BaseModel):
    id: str = Field(description="Pass to fetch() to read the passage")
    title: str
    url: str = Field(description="Opens the passage in knowbase's web UI")


class SearchResults(BaseModel):
    results: list[SearchResult]


class FetchedItem(BaseModel):
    id: str
    title: str
    text: str
    url: str
    metadata: dict[str, Any] | None = None


class DocumentFilters(BaseModel):
    document_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] | None = Field(
        None, max_length=MAX_FILTER_DOCUMENTS, description="Only these documents (ids from earlier results)"
    )
    title: str | None = Field(
        None, min_length=1, max_length=200, description="Only documents whose title or file name contains this"
    )


class Passage(BaseModel):
    id: str
    document_id: str
    title: str
    source: str = Field(description="The original file name")
    collection: str
    page: int | None
    heading: str
    score: float
    text: str
    url: str


class Passages(BaseModel):
    results: list[Passage]
    mode: SearchMode


class KnowledgeBase(BaseModel):
    name: str
    description: str
    documents: int = Field(description="All documents, including those still being ingested")
    ready_documents: int = Field(description="Documents that are searchable now")


class KnowledgeBases(BaseModel):
    knowledge_bases: list[KnowledgeBase]


class Citation(BaseModel):
    n: int = Field(description="The [n] marker in the answer")
    quote: str = Field(description="A verbatim span of the document that supports the claim")
    document_id: str
    title: str
    source: str
    page: int | None
    url: str
    attributed: bool = Field(
        False, description="The answer had no marker here: the server found this quote for the claim and inserted [n]"
    )


class AskResult(BaseModel):
    answer: str
    mode: str = Field(description="llm | extractive | no_answer | blocked")
    citations: list[Citation]
    moderation: dict[str, Any]
    conversation_id: str
    unsupported_claims: list[str] = Field(
        default_factory=list, description="Claims of the answer stating facts that no source supports"
    )
