"""The FastAPI app factory: explicit wiring of routers, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.deps import get_principal
from api.errors import install_error_handlers
from api.mcp.http import McpEndpoint
from api.mcp.wiring import knowledge_services
from api.middleware import RequestIdMiddleware
from api.rate_limit import RateLimitMiddleware
from api.routes import (
    admin,
    chat,
    documents,
    health,
    ingestion,
    openai_compat,
    openai_embeddings,
    openai_files,
    openai_responses,
    openai_vector_store_search,
    openai_vector_stores,
    search,
)
from api.security_headers import SecurityHeadersMiddleware
from api.upload_limit import BodyLimitMiddleware
from api.wiring import Services, build_services
from core.settings import Settings, load_settings
from core.throttle import SignInThrottle
from ui import routes as ui_routes


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)
    mcp = McpEndpoint(knowledge_services(services))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services.bootstrap()
        services.start_background()
        try:
            async with mcp.running():
                yield
        finally:
            services.stop_background()
            services.close()

    app = FastAPI(
        title="knowbase",
        version="0.1.0",
        summary="Self-hosted knowledge base: hybrid retrieval and cited answers over your documents.",
        lifespan=lifespan,
    )
    app.state.services = services  # read only by the providers in api/deps.py
    app.state.signin_throttle = SignInThrottle(
        max_per_user=settings.signin_max_failures_per_user,
        max_per_address=settings.signin_max_failures_per_address,
        window_s=settings.signin_window_s,
    )
    install_error_handlers(app)
    app.add_middleware(  # inside the body limit: bodies it reads are already bounded
        RateLimitMiddleware,
        database=lambda: services.db,
        default_requests_per_minute=settings.rate_limit_requests_per_minute,
        default_tokens_per_minute=settings.rate_limit_tokens_per_minute,
    )
    app.add_middleware(
        BodyLimitMiddleware,
        upload_limit_bytes=lambda: settings.max_upload_bytes,
        upload_paths=("/v1/documents", "/v1/files"),
        authenticate=lambda request: get_principal(request, services.db),
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)  # added last = outermost: every response gets an id
    for module in (
        health,
        admin,
        documents,
        ingestion,
        search,
        chat,
        openai_compat,
        openai_embeddings,
        openai_responses,
        openai_vector_store_search,
        openai_files,
        openai_vector_stores,
        ui_routes,
    ):
        app.include_router(module.router)
    app.router.routes.extend(mcp.routes)  # /mcp (MCP over streamable HTTP) and its OAuth metadata
    app.mount("/static", StaticFiles(directory=Path(ui_routes.__file__).parent / "static"), name="static")
    return app


def create_app_from_environment() -> FastAPI:
    """The app factory ``knowbase serve --workers N`` hands to uvicorn: each API process reads the
    same ``KNOWBASE_*`` environment and builds its own services."""
    from core.logging import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)
