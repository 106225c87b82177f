"""The state of one chat turn and what it produces: events, the final result, the tokens spent."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from answer.citations import Citation
from core.providers.llm import Message
from core.types import Principal
from retrieval.context import ContextPublic
from retrieval.scope import SearchScope
from retrieval.search import SearchHit


@dataclass
class ChatEvent:
    type: str  # delta | reset | citations | done
    data: dict[str, Any]


class ChatUsage(BaseModel):
    model: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float
    latency_ms: float


class ChatResult(BaseModel):
    answer: str
    citations: list[Citation]
    conversation_id: str
    message_id: str
    mode: str  # llm | extractive | no_answer | blocked
    usage: ChatUsage
    moderation: dict[str, Any]
    dropped_citations: list[int] = []
    unsupported_claims: list[str] = []  # claims of the answer with key facts that no source states
    fallback_reason: str | None = None


@dataclass
class Spend:
    """Tokens a turn has used so far (all its LLM calls), and the model they are charged to."""

    model: str = "none"
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens

    @property
    def total(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass
class Turn:
    principal: Principal
    message: str  # after PII redaction
    conversation_id: str
    history: list[Message]
    query: str
    context: ContextPublic | None
    hits: list[SearchHit]
    blocked: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    spend: Spend = field(default_factory=Spend)
    reservation: int | None = None  # the budget reservation held until the turn is settled
    settled: bool = False  # usage recorded and reservation released
    scope: SearchScope | None = None  # collections and search settings the caller named (file_search)
    instructions: str | None = None  # the caller's own instructions, below the system prompt's rules

    @property
    def latency_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000
