"""The one place the MCP tools are connected to knowbase's components."""

from __future__ import annotations

from api.mcp.services import Answer, KnowledgeServices
from api.runtime import Runtime
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
