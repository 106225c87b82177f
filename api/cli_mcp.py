"""``knowbase mcp``: the MCP tools over stdio, for desktop clients that start a local process
(Claude Desktop, Cursor). The key (``--key`` or KNOWBASE_MCP_KEY) decides whose access applies;
it is checked again on every call, so revoking it takes effect at once. When a server is running on
the data dir, the command forwards to that server's ``/mcp`` instead of opening the data itself."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from api.cli_ingest import running_server
from core.errors import Unauthorized
from core.settings import Settings
from core.types import Principal

if TYPE_CHECKING:
    from api.mcp.services import KnowledgeServices

KEY_VARIABLE = "KNOWBASE_MCP_KEY"


def add_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = sub.add_parser("mcp", help="serve the knowledge base as MCP tools over stdio (for desktop clients)")
    command.add_argument("--key", default=None, help=f"the API key to act as (default: ${KEY_VARIABLE})")
    command.set_defaults(handler=run_mcp)


def run_mcp(args: argparse.Namespace, settings: Settings) -> int:
    key = (args.key or os.environ.get(KEY_VARIABLE, "")).strip()
    if not key:
        print(f"knowbase: give an API key with --key or {KEY_VARIABLE}", file=sys.stderr)
        return 2
    url = running_server(settings)
    if url:  # that process owns the data dir (the embedded vector store): forward to its /mcp
        return _bridge(url, key)
    from api.mcp.wiring import local_knowledge_services

    with local_knowledge_services(settings) as services:
        return _serve_locally(services, key)


def _serve_locally(services: KnowledgeServices, key: str) -> int:
    from api.mcp.http import own_base_url
    from api.mcp.server import Caller, build_server
    from api.mcp.tools import KnowledgeTools
    from core.metadata import accounts

    def principal(_ctx: object) -> Principal:
        with services.sessions() as session:
            return accounts.authenticate_key(session=session, key=key)

    try:
        principal(None)  # refuse to start with a bad key rather than fail on every call
    except Unauthorized as error:
        print(f"knowbase: {error.message}", file=sys.stderr)
        return 1
    base_url = own_base_url(services.settings)
    server = build_server(KnowledgeTools(services), Caller(principal=principal, base_url=lambda _ctx: base_url))
    server.run("stdio")
    return 0


def _bridge(url: str, key: str) -> int:
    import anyio
    import httpx

    from api.mcp.bridge import bridge_stdio

    me = httpx.get(url + "/v1/me", headers={"Authorization": f"Bearer {key}"}, timeout=30)
    if me.status_code != 200:
        print(f"knowbase: {me.json()['error']['message']}", file=sys.stderr)
        return 1
    anyio.run(bridge_stdio, url, key)
    return 0
