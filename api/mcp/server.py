"""The MCP server: the tools of ``tools.py`` with their descriptions and input limits, for any
transport. ``Caller`` says how a transport knows who is calling and where the UI lives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from api.mcp.schemas import (
    MAX_COLLECTIONS,
    MAX_ID_CHARS,
    MAX_QUERY_CHARS,
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    AskResult,
    DocumentFilters,
    FetchedItem,
    KnowledgeBases,
    Passages,
    SearchMode,
    SearchResults,
)
from api.mcp.tools import KnowledgeTools, Links
from core.errors import KnowbaseError
from core.types import Principal

T = TypeVar("T")
ToolContext = Context[Any, Any]
INSTRUCTIONS = (
    "knowbase is a private knowledge base of the organisation's documents (English and Chinese). "
    "Use search/fetch or search_knowledge_base to find passages and cite them by their url; use ask for a "
    "short answer with verified quotes. Results only ever include documents the caller may read."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)


@dataclass(frozen=True)
class Caller:
    """``principal(ctx)`` runs on a worker thread and may raise ``Unauthorized``."""

    principal: Callable[[ToolContext], Principal]
    base_url: Callable[[ToolContext], str]


Query = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description="What to look for, in natural language or keywords, e.g. 'annual leave days' or '年假有几天'",
    ),
]
Collections = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=120)]] | None,
    Field(
        max_length=MAX_COLLECTIONS,
        description="Only these knowledge bases (names from list_knowledge_bases); omit for all you may read",
    ),
]


def build_server(
    tools: KnowledgeTools,
    caller: Caller,
    *,
    token_verifier: TokenVerifier | None = None,
    auth: AuthSettings | None = None,
) -> MCPServer[Any]:
    server: MCPServer[Any] = MCPServer(
        "knowbase",
        title="knowbase knowledge base",
        instructions=INSTRUCTIONS,
        version="0.1.0",
        token_verifier=token_verifier,
        auth=auth,
        log_level="WARNING",
    )

    async def run(ctx: ToolContext, call: Callable[[Principal, Links], T]) -> T:
        def work() -> T:
            return call(caller.principal(ctx), Links(caller.base_url(ctx)))

        try:
            return await anyio.to_thread.run_sync(work)
        except KnowbaseError as error:  # not-found, access and quota errors reach the model as text
            raise ToolError(error.message) from error

    async def search(query: Query, ctx: ToolContext) -> SearchResults:
        return await run(ctx, lambda who, links: tools.search(who, query, links))

    async def fetch(
        id: Annotated[
            str, Field(min_length=1, max_length=MAX_ID_CHARS, description="An id returned by search, e.g. 'chunk:…'")
        ],
        ctx: ToolContext,
    ) -> FetchedItem:
        return await run(ctx, lambda who, links: tools.fetch(who, id, links))

    async def search_knowledge_base(
        query: Query,
        ctx: ToolContext,
        collections: Collections = None,
        filters: Annotated[DocumentFilters | None, Field(description="Narrow to some documents")] = None,
        top_k: Annotated[int, Field(ge=1, le=MAX_TOP_K, description="How many passages")] = 8,
        mode: Annotated[
            SearchMode | None, Field(description="hybrid (default), dense (meaning) or lexical (exact words)")
        ] = None,
    ) -> Passages:
        return await run(
            ctx,
            lambda who, links: tools.search_knowledge_base(
                who, query, links, collections=collections, filters=filters, top_k=top_k, mode=mode
            ),
        )

    async def list_knowledge_bases(ctx: ToolContext) -> KnowledgeBases:
        return await run(ctx, lambda who, _links: tools.list_knowledge_bases(who))

    async def ask(
        question: Annotated[
            str,
            Field(
                min_length=1,
                max_length=MAX_QUESTION_CHARS,
                description="A question, e.g. 'How many days of annual leave do new staff get?' or '新员工有几天年假？'",
            ),
        ],
        ctx: ToolContext,
        collection: Annotated[
            str | None, Field(min_length=1, max_length=120, description="Answer only from this knowledge base")
        ] = None,
    ) -> AskResult:
        return await run(ctx, lambda who, links: tools.ask(who, question, links, collection=collection))

    server.add_tool(search, title="Search", description=SEARCH, annotations=READ_ONLY, structured_output=True)
    server.add_tool(fetch, title="Fetch", description=FETCH, annotations=READ_ONLY, structured_output=True)
    server.add_tool(
        search_knowledge_base, title="Search the knowledge base", description=SEARCH_KB, annotations=READ_ONLY
    )
    server.add_tool(list_knowledge_bases, title="List knowledge bases", description=LIST_KBS, annotations=READ_ONLY)
    server.add_tool(
        ask,
        title="Ask the knowledge base",
        description=ASK,
        annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False),
    )
    return server


SEARCH = (
    "Search the knowledge base for passages relevant to a query. Returns {results: [{id, title, url}]}; "
    "read a result with fetch(id). Works in English and Chinese, e.g. search('travel expense limits') or "
    "search('差旅报销标准')."
)
FETCH = (
    "Read one search result in full: the passage with its neighbouring text ('chunk:…' ids) or a whole "
    "document ('doc:<document id>', long documents are cut at 60,000 characters). Returns "
    "{id, title, text, url, metadata}. Example: after search('报销标准') returned id 'chunk:3f2a…:4', "
    "fetch('chunk:3f2a…:4') gives that passage of the reimbursement policy."
)
SEARCH_KB = (
    "Hybrid search with options: restrict to knowledge bases (collections), to documents (filters.document_ids, "
    "filters.title), choose top_k (1-50) and mode (hybrid, dense, lexical). Returns passages with document, "
    "page, heading, score, text and url. Examples: search_knowledge_base('data retention period', "
    "collections=['legal']); search_knowledge_base('报销流程', filters={'title': '财务制度'}, top_k=5)."
)
LIST_KBS = (
    "List the knowledge bases (collections) you may read, with their descriptions and document counts. "
    "Use the names in search_knowledge_base(collections=[…]) or ask(collection=…), e.g. a knowledge base "
    "'hr' described as '人事制度与员工手册'."
)
ASK = (
    "Ask a question and get a short answer written from the documents, with [n] markers and verified "
    "citations (a verbatim quote, document, page and url for each). Content policy and PII redaction apply; "
    "the question is saved in your knowbase chat history. Examples: ask('What is the notice period?'), "
    "ask('试用期是多久？', collection='hr')."
)
