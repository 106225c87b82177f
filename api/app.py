"""The FastAPI app factory: explicit wiring of routers, middleware and error handlers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.mcp.http import McpEndpoint
from api.mcp.wiring import knowledge_services
from api.middleware import RequestIdMiddleware
from api.routes import admin, chat, documents, health, openai_compat, search
from api.runtime import Runtime
from api.upload_limit import UploadLimitMiddleware
from core.settings import Settings
from ui import routes as ui_routes


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or Runtime(settings)
    mcp = McpEndpoint(knowledge_services(runtime))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime.bootstrap()
        runtime.start_background()
        try:
            async with mcp.running():
                yield
        finally:
            runtime.stop_background()
            runtime.close()

    app = FastAPI(
        title="knowbase",
        version="0.1.0",
        summary="Self-hosted knowledge base: hybrid retrieval and cited answers over your documents.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.add_middleware(UploadLimitMiddleware, limit_bytes=lambda: settings.max_upload_bytes, paths=("/v1/documents",))
    app.add_middleware(RequestIdMiddleware)  # added last = outermost: every response gets an id
    for module in (health, admin, documents, search, chat, openai_compat, ui_routes):
        app.include_router(module.router)
    app.router.routes.extend(mcp.routes)  # /mcp (MCP over streamable HTTP) and its OAuth metadata
    app.mount("/static", StaticFiles(directory=Path(ui_routes.__file__).parent / "static"), name="static")
    return app
