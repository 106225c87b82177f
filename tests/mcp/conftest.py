"""A real knowbase server on 127.0.0.1 with two teams' documents, shared by the MCP tests, and helpers
that talk to it with the official MCP client."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_types import CallToolResult, TextContent

from api.app import create_app
from core.security import generate_api_key
from core.settings import Settings
from tests.servers import serve

FINANCE_SECRET = "Project Nightingale acquires Borealis Robotics for 412 million euros in March."
FINANCE_SECRET_ZH = "夜莺计划将于三月以四亿一千二百万欧元收购北极光机器人公司。"
HR_TEXT = "The cafeteria opens at eight and serves vegetarian lunch every weekday."


def knowbase_settings(data_dir: Path, admin_key: str) -> Settings:
    return Settings(data_dir=data_dir, admin_key=admin_key, log_json=True, _env_file=None)


def make_key(http: httpx.Client, admin_key: str, user: str, role: str, groups: list[str]) -> str:
    body = {"user": user, "role": role, "groups": groups}
    response = http.post("/v1/admin/keys", json=body, headers={"Authorization": f"Bearer {admin_key}"})
    assert response.status_code == 201, response.text
    key = str(response.json()["key"])
    # The admin route commits after its response is sent (FastAPI runs a request-scoped `yield`
    # dependency's exit after the response), so wait until the key is usable.
    deadline = time.monotonic() + 10
    while http.get("/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code != 200:
        assert time.monotonic() < deadline, "the new key never became usable"
        time.sleep(0.05)
    return key


def seed_two_teams(http: Any, admin_key: str) -> dict[str, Any]:
    """Collections finance and hr, a key per team, one document each (ready). ``http`` is an httpx
    client or a TestClient on the app."""
    admin = {"Authorization": f"Bearer {admin_key}"}
    for name in ("finance", "hr"):
        body = {"name": name, "description": f"{name} team", "read_groups": [name], "write_groups": [name]}
        assert http.post("/v1/admin/collections", json=body, headers=admin).status_code == 201
    keys = {"finance": make_key(http, admin_key, "fiona", "editor", ["finance"])}
    keys["hr"] = make_key(http, admin_key, "hazel", "editor", ["hr"])
    ids = {}
    for team, name, text in (
        ("finance", "deal.md", f"# Deal\n\n{FINANCE_SECRET}\n\n{FINANCE_SECRET_ZH}\n"),
        ("hr", "canteen.md", f"# Canteen\n\n{HR_TEXT}\n"),
    ):
        response = http.post(
            "/v1/documents",
            files={"file": (name, text.encode())},
            data={"collection": team},
            headers={"Authorization": f"Bearer {keys[team]}"},
        )
        assert response.status_code == 202, response.text
        ids[team] = response.json()["document"]["id"]
    deadline = time.monotonic() + 120
    for document_id in ids.values():
        while http.get(f"/v1/documents/{document_id}", headers=admin).json()["status"] != "ready":
            assert time.monotonic() < deadline, "ingestion did not finish"
            time.sleep(0.2)
    return {"keys": keys, "ids": ids}


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    admin_key = generate_api_key()
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("KNOWBASE_")]:
            patch.delenv(name)
        settings = knowbase_settings(tmp_path_factory.mktemp("mcp") / "data", admin_key)
        with serve(create_app(settings)) as url, httpx.Client(base_url=url, timeout=60) as http:
            seeded = seed_two_teams(http, admin_key)
            yield {"url": url, "http": http, "admin_key": admin_key, "data_dir": settings.data_dir, **seeded}


def mcp_client(url: str, key: str | None, mode: str = "auto") -> Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = streamable_http_client(url + "/mcp", http_client=httpx2.AsyncClient(headers=headers, timeout=120))
    return Client(transport, mode=mode)


def call(url: str, key: str, tool: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
    async def main() -> CallToolResult:
        async with mcp_client(url, key) as client:
            return await client.call_tool(tool, arguments or {})

    return anyio.run(main)


def text_of(result: CallToolResult) -> str:
    """The result's single text item (the deep-research contract: one text item holding JSON)."""
    assert len(result.content) == 1 and isinstance(result.content[0], TextContent), result.content
    return result.content[0].text


def payload(result: CallToolResult) -> Any:
    assert not result.is_error, result.content
    return json.loads(text_of(result))


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return text_of(result)
