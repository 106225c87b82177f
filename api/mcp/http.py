"""``/mcp`` over streamable HTTP inside the FastAPI app: knowbase API keys as bearer tokens, the
SDK's protected-resource metadata, a Host/Origin allow-list, and stateless requests (any process
of a scaled-out deployment can answer any request)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import anyio.to_thread
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.requests import Request
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from api.errors import error_response
from api.mcp.server import Caller, ToolContext, build_server
from api.mcp.services import KnowledgeServices
from api.mcp.tools import KnowledgeTools
from core.errors import Unauthorized
from core.metadata import accounts
from core.settings import Settings
from core.types import Principal, Role

log = logging.getLogger(__name__)
MCP_PATH = "/mcp"
_PRINCIPAL_CLAIM = "knowbase_principal"


def own_base_url(settings: Settings) -> str:
    """Where clients reach this server: the configured public URL, else the bind address."""
    if settings.public_url:
        return settings.public_url
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "::") else settings.host
    return f"http://{host}:{settings.port}"


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """Localhost, the configured host and the public URL's host, plus KNOWBASE_MCP_ALLOWED_*."""
    names = {"127.0.0.1", "localhost", "[::1]", settings.host}
    public = urlsplit(settings.public_url) if settings.public_url else None
    hosts = [h for name in sorted(names) for h in (name, f"{name}:*")]
    origins = [f"{scheme}://{name}:*" for name in sorted(names) for scheme in ("http", "https")]
    origins += [f"{scheme}://{name}" for name in sorted(names) for scheme in ("http", "https")]
    if public is not None:
        hosts.append(public.netloc)
        origins.append(f"{public.scheme}://{public.netloc}")
    hosts += settings.mcp_allowed_hosts
    origins += settings.mcp_allowed_origins
    if "*" in settings.mcp_allowed_hosts:  # behind a proxy that checks hosts itself
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(allowed_hosts=hosts, allowed_origins=origins)


class ApiKeyVerifier:
    """The SDK's ``TokenVerifier`` over knowbase API keys: revoked, unknown or disabled → no token."""

    def __init__(self, services: KnowledgeServices) -> None:
        self.services = services

    async def verify_token(self, token: str) -> AccessToken | None:
        return await anyio.to_thread.run_sync(self._verify, token.strip())

    def _verify(self, token: str) -> AccessToken | None:
        try:
            with self.services.sessions() as session:
                principal = accounts.authenticate_key(session=session, key=token)
        except Unauthorized as error:
            log.info("MCP request refused", extra={"reason": error.message})
            return None
        claims = {
            "user_id": principal.user_id,
            "name": principal.name,
            "role": principal.role.value,
            "groups": sorted(principal.groups),
            "key_id": principal.key_id,
        }
        return AccessToken(
            token=token,
            client_id=principal.key_id or principal.user_id,
            subject=principal.user_id,
            scopes=[],
            claims={_PRINCIPAL_CLAIM: claims},
        )


def principal_from_token(_ctx: ToolContext) -> Principal:
    token = get_access_token()
    claims = (token.claims or {}).get(_PRINCIPAL_CLAIM) if token else None
    if not claims:  # unreachable behind RequireAuthMiddleware; fail closed all the same
        raise Unauthorized("missing API key: send 'Authorization: Bearer kb-...'")
    return Principal(
        user_id=claims["user_id"],
        name=claims["name"],
        role=Role(claims["role"]),
        groups=frozenset(claims["groups"]),
        key_id=claims["key_id"],
    )


def request_base_url(settings: Settings) -> Callable[[ToolContext], str]:
    def base_url(ctx: ToolContext) -> str:
        if settings.public_url:
            return settings.public_url
        request = ctx.request_context.request
        return str(request.base_url).rstrip("/") if isinstance(request, Request) else own_base_url(settings)

    return base_url


class McpEndpoint:
    """An ASGI app for ``/mcp`` and its metadata route. ``running()`` belongs in the host app's
    lifespan: it starts the SDK's session manager (a fresh one each time, as the SDK requires)."""

    def __init__(self, services: KnowledgeServices) -> None:
        settings = services.settings
        resource = AnyHttpUrl(own_base_url(settings) + MCP_PATH)
        self.metadata_path = urlsplit(str(build_resource_metadata_url(resource))).path
        self.server = build_server(
            KnowledgeTools(services),
            Caller(principal=principal_from_token, base_url=request_base_url(settings)),
            token_verifier=ApiKeyVerifier(services),
            auth=AuthSettings(
                issuer_url=AnyHttpUrl(own_base_url(settings)),
                resource_server_url=resource,
                validate_token_resource=False,  # the verifier checks our own keys
            ),
        )
        self._security = transport_security(settings)
        self._app: ASGIApp | None = None

    @property
    def routes(self) -> list[Route]:
        return [Route(MCP_PATH, endpoint=self), Route(self.metadata_path, endpoint=self)]

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        self._app = self.server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            transport_security=self._security,
        )
        try:
            async with self.server.session_manager.run():
                yield
        finally:
            self._app = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._app is None:
            await error_response(503, "not_ready", "the MCP endpoint is not running", {})(scope, receive, send)
            return
        await self._app(scope, receive, send)
