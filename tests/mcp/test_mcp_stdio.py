"""``knowbase mcp`` serves the same tools over stdio (a desktop client starts it as a subprocess),
as the key's user, and refuses to start with a bad key. With a server running on the data dir, it
forwards to that server's /mcp."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from fastapi.testclient import TestClient
from mcp import Client, StdioServerParameters

from api.app import create_app
from core.security import generate_api_key
from tests.mcp.conftest import FINANCE_SECRET, knowbase_settings, payload, seed_two_teams

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def data(tmp_path: Path) -> dict[str, Any]:
    """Seeded through the app in this process, which then closes, so the subprocess owns the data dir."""
    admin_key = generate_api_key()
    data_dir = tmp_path / "data"
    with TestClient(create_app(knowbase_settings(data_dir, admin_key))) as client:
        seeded = seed_two_teams(client, admin_key)
    return {"data_dir": data_dir, **seeded}


def environment(data_dir: Path, key: str) -> dict[str, str]:
    return {
        "KNOWBASE_DATA_DIR": str(data_dir),
        "KNOWBASE_MCP_KEY": key,
        "KNOWBASE_PUBLIC_URL": "https://kb.example.com",
        "PYTHONPATH": str(PROJECT),
    }


def test_stdio_serves_the_tools_as_the_keys_user(data: dict[str, Any]) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "api.cli", "mcp"],
        env=environment(data["data_dir"], data["keys"]["hr"]),
        cwd=str(data["data_dir"].parent),
    )

    async def main() -> tuple[set[str], Any, Any, Any]:
        async with Client(params) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            own = await client.call_tool("search", {"query": "vegetarian lunch"})
            other = await client.call_tool("search", {"query": FINANCE_SECRET})
            listed = await client.call_tool("list_knowledge_bases", {})
            return names, own, other, listed

    names, own, other, listed = anyio.run(main)
    assert names == {"search", "fetch", "search_knowledge_base", "list_knowledge_bases", "ask"}
    results = payload(own)["results"]
    assert results[0]["id"].startswith(f"chunk:{data['ids']['hr']}:")
    assert results[0]["url"].startswith(f"https://kb.example.com/ui/documents/{data['ids']['hr']}?")
    assert all(data["ids"]["finance"] not in r["id"] for r in payload(other)["results"])
    assert [k["name"] for k in payload(listed)["knowledge_bases"]] == ["default", "hr"]


def test_stdio_refuses_a_bad_key(data: dict[str, Any]) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("KNOWBASE_")}}
    env |= environment(data["data_dir"], "kb-not-a-real-key-000000000000")
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "mcp"], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1 and "invalid API key" in done.stderr and done.stdout == ""


def test_stdio_forwards_to_the_server_that_owns_the_data_dir(kb: dict[str, Any]) -> None:
    # What `knowbase serve` writes; this test process stands in for the server's pid.
    info = kb["data_dir"] / "server.json"
    info.write_text(json.dumps({"url": kb["url"], "pid": os.getpid()}))
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "api.cli", "mcp"],
        env=environment(kb["data_dir"], kb["keys"]["finance"]),
        cwd=str(kb["data_dir"].parent),
    )

    async def main() -> tuple[set[str], Any, Any]:
        async with Client(params) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            found = await client.call_tool("search", {"query": "Borealis Robotics"})
            refused = await client.call_tool("search", {"query": "x" * 4001})
            return names, found, refused

    try:
        names, found, refused = anyio.run(main)
    finally:
        info.unlink()
    assert names == {"search", "fetch", "search_knowledge_base", "list_knowledge_bases", "ask"}
    first = payload(found)["results"][0]
    assert first["id"].startswith(f"chunk:{kb['ids']['finance']}:") and first["url"].startswith(kb["url"])
    assert refused.is_error
