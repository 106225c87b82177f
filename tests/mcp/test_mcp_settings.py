"""Which hosts and origins /mcp accepts, and which base URL its links use, from settings."""

from __future__ import annotations

import anyio
import pytest
from mcp.server.transport_security import TransportSecurityMiddleware
from starlette.requests import Request

from api.mcp.http import own_base_url, transport_security
from api.mcp.tools import Links
from core.settings import Settings

pytestmark = pytest.mark.unit


def accepts(settings: Settings, host: str, origin: str | None = None) -> bool:
    """What the SDK's check answers for a GET with these headers (None = accepted)."""
    headers = [(b"host", host.encode())] + ([(b"origin", origin.encode())] if origin else [])
    request = Request({"type": "http", "method": "GET", "path": "/mcp", "headers": headers})
    checker = TransportSecurityMiddleware(transport_security(settings))
    return anyio.run(checker.validate_request, request) is None


def test_localhost_and_the_configured_host_are_allowed_by_default() -> None:
    settings = Settings(host="10.0.0.5", port=9000, _env_file=None)
    for host in ("127.0.0.1:9000", "localhost:8000", "localhost", "[::1]:9000", "10.0.0.5:9000"):
        assert accepts(settings, host), host
    assert accepts(settings, "127.0.0.1:9000", "http://localhost:3000")
    assert not accepts(settings, "attacker.example")
    assert not accepts(settings, "127.0.0.1:9000", "https://attacker.example")
    assert own_base_url(settings) == "http://10.0.0.5:9000"


def test_public_url_and_extra_hosts_from_comma_separated_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KNOWBASE_MCP_ALLOWED_HOSTS", "knowbase:*, kb.lan")
    monkeypatch.setenv("KNOWBASE_MCP_ALLOWED_ORIGINS", "https://chat.example.com")
    settings = Settings(public_url="https://kb.example.com/", _env_file=None)
    assert settings.mcp_allowed_hosts == ["knowbase:*", "kb.lan"]
    assert own_base_url(settings) == "https://kb.example.com"
    for host in ("kb.example.com", "knowbase:8000", "kb.lan"):
        assert accepts(settings, host), host
    assert accepts(settings, "kb.example.com", "https://kb.example.com")
    assert accepts(settings, "kb.example.com", "https://chat.example.com")
    assert not accepts(settings, "kb.lan:8000")


def test_a_star_turns_the_host_check_off() -> None:
    settings = Settings(mcp_allowed_hosts=["*"], _env_file=None)
    assert accepts(settings, "anything.example", "https://anything.example")


def test_public_url_must_be_http() -> None:
    with pytest.raises(ValueError, match="http"):
        Settings(public_url="kb.example.com", _env_file=None)


def test_links_open_the_document_page_with_the_passage() -> None:
    links = Links("https://kb.example.com/")
    assert links.document("abc") == "https://kb.example.com/ui/documents/abc"
    assert links.passage("abc", 10, 20, 3) == "https://kb.example.com/ui/documents/abc?start=10&end=20&page=3"
    assert links.passage("abc", 0, 5, None) == "https://kb.example.com/ui/documents/abc?start=0&end=5"
