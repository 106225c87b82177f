"""The one place the MCP tools are connected to knowbase's components (the web app passes its
runtime; ``knowbase mcp`` opens its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from api.mcp.services import Answer, KnowledgeServices
from api.runtime import Runtime
from core.settings import Settings
from core.types import Principal


def knowledge_services(runtime: Runtime) -> KnowledgeServices:
    def ask(principal: Principal, question: str, collection: str | None) -> Answer:
        return runtime.chat.answer(principal, question, collection=collection)

    return KnowledgeServices(
        settings=runtime.settings,
        sessions=runtime.db.session,
        retrieval=lambda: runtime.retrieval,
        documents=lambda: runtime.documents,
        ask=ask,
    )


@contextmanager
def local_knowledge_services(settings: Settings) -> Iterator[KnowledgeServices]:
    """Components opened by this process on the data dir (no server owns it), closed afterwards."""
    runtime = Runtime(settings)
    runtime.bootstrap()
    try:
        yield knowledge_services(runtime)
    finally:
        runtime.close()
