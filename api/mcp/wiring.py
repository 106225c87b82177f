"""The one place the MCP tools are connected to knowbase's components (the web app passes its
services; ``knowbase mcp`` builds its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from api.mcp.services import Answer, KnowledgeServices
from api.wiring import Services, build_services
from core.settings import Settings
from core.types import Principal


def knowledge_services(services: Services) -> KnowledgeServices:
    def ask(principal: Principal, question: str, collection: str | None) -> Answer:
        chat = services.chat.get()
        return chat.run(chat.start(principal, question, collection=collection))

    return KnowledgeServices(
        settings=services.settings,
        sessions=services.db.session,
        retrieval=services.retrieval.get,
        documents=lambda: services.documents,
        ask=ask,
    )


@contextmanager
def local_knowledge_services(settings: Settings) -> Iterator[KnowledgeServices]:
    """Components opened by this process on the data dir (no server owns it), closed afterwards."""
    services = build_services(settings)
    services.bootstrap()
    try:
        yield knowledge_services(services)
    finally:
        services.close()
