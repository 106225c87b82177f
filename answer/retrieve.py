"""The retrieval call of a turn: the history the prompt keeps, and the context that fits beside it."""

from __future__ import annotations

from dataclasses import dataclass

from answer.prompts import MESSAGE_OVERHEAD_TOKENS, trim_history
from core.providers.llm import Message
from core.settings import Settings
from core.tokens import count_tokens
from core.types import Principal
from retrieval.context import ContextPublic
from retrieval.scope import SearchScope
from retrieval.search import SearchHit
from retrieval.service import RetrievalService

EXTRACTIVE_CONTEXT_TOKENS = 3000  # 2000 cut the answering passage off for 1 question in 10 (bench.articles_qa)
HISTORY_SHARE = 4  # the history may use a quarter of the context window


@dataclass
class Retrieved:
    history: list[Message]  # what the prompt keeps of the conversation
    context: ContextPublic
    hits: list[SearchHit]


class ContextFetcher:
    def __init__(self, retrieval: RetrievalService, settings: Settings, *, llm_enabled: bool) -> None:
        self.retrieval, self.settings, self.llm_enabled = retrieval, settings, llm_enabled

    def fetch(
        self,
        principal: Principal,
        query: str,
        history: list[Message],
        collection: str | None,
        scope: SearchScope | None = None,
    ) -> Retrieved:
        """:raises NotFound: a collection does not exist or the caller may not read it."""
        kept = trim_history(history, self.settings.llm_context_window // HISTORY_SHARE) if self.llm_enabled else []
        history_tokens = sum(count_tokens(m["content"]) + MESSAGE_OVERHEAD_TOKENS for m in kept)
        context, hits = self.retrieval.context(
            principal,
            query,
            max_tokens=None if self.llm_enabled else EXTRACTIVE_CONTEXT_TOKENS,
            model=self.settings.llm_model or None,
            collection=collection,
            history_tokens=history_tokens,
            scope=scope,
        )
        return Retrieved(kept, context, hits)

    def prompt_ceiling(self) -> int:
        """The most tokens one answer's prompt and completion can use (the model's context window)."""
        return self.retrieval.budget_for(model=self.settings.llm_model or None) + self.settings.llm_max_tokens
