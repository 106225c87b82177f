"""``knowbase mcp`` when a running server owns the data directory: MCP over stdio in, the server's
``/mcp`` out. The tools, access checks and limits are the server's; nothing is duplicated here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from mcp_types import CallToolRequestParams, CallToolResult, ListToolsResult, PaginatedRequestParams

from api.mcp.http import MCP_PATH
from api.mcp.server import INSTRUCTIONS


async def bridge_stdio(url: str, key: str) -> None:
    @asynccontextmanager
    async def connect(_server: Server[Client]) -> AsyncIterator[Client]:
        timeout = httpx2.Timeout(30, read=300)  # an ask() may take as long as the LLM does
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=timeout)
        async with http, Client(streamable_http_client(url + MCP_PATH, http_client=http)) as remote:
            yield remote

    async def list_tools(ctx: ServerRequestContext[Client], params: PaginatedRequestParams | None) -> ListToolsResult:
        return await ctx.lifespan_context.list_tools(cursor=params.cursor if params else None)

    async def call_tool(ctx: ServerRequestContext[Client], params: CallToolRequestParams) -> CallToolResult:
        return await ctx.lifespan_context.call_tool(params.name, params.arguments or {})

    server: Server[Client] = Server(
        "knowbase", instructions=INSTRUCTIONS, lifespan=connect, on_list_tools=list_tools, on_call_tool=call_tool
    )
    async with stdio_server() as (read, write):
        await server.run(read, write, server.create_initialization_options())
