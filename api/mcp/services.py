"""What the MCP tools need from the rest of knowbase, passed in explicitly (see ``wiring.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from core.settings import Settings
from core.types import Principal
from ingest.service import DocumentService
from retrieval.service import RetrievalService


class CitedQuote(Protocol):
    n: int
    document_id: str
    title: str
    source: str
    page: int | None
    quote: str
    start: int
    end: int
    attributed: bool


class Answer(Protocol):
    """The chat service's non-streaming result, as far as the tools read it."""

    answer: str
    mode: str
    conversation_id: str
    moderation: dict[str, Any]
    unsupported_claims: list[str]

    @property
    def citations(self) -> Sequence[CitedQuote]: ...


AskFn = Callable[[Principal, str, "str | None"], Answer]


@dataclass(frozen=True)
class KnowledgeServices:
    """Providers rather than built objects, so that building the app loads no embedder."""

    settings: Settings
    sessions: Callable[[], AbstractContextManager[Session]]
    retrieval: Callable[[], RetrievalService]
    documents: Callable[[], DocumentService]
    ask: AskFn  # (principal, question, collection) → the checked answer, moderation and PII policy applied
