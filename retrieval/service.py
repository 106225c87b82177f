"""Search and context for a caller: access scope from the DB, then the retriever and assembler."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from core.metadata.db import Database
from core.settings import Settings
from core.types import Principal
from core.vectorstore.attribute_filter import AttributeCondition
from retrieval.access import access_scope, access_scope_of
from retrieval.context import KNOWN_CONTEXT_WINDOWS, ContextAssembler, ContextPublic, context_budget
from retrieval.scope import SearchScope
from retrieval.search import Retriever, SearchHit, SearchOptions, SearchTimings

# What the chat prompt's fixed instructions cost, reserved when a budget is derived from a model.
SYSTEM_PROMPT_RESERVE = 400


class RetrievalService:
    def __init__(self, *, db: Database, retriever: Retriever, settings: Settings) -> None:
        self.db, self.retriever, self.settings = db, retriever, settings
        self.assembler = ContextAssembler()

    def options(self, **overrides: Any) -> SearchOptions:
        return SearchOptions.from_settings(self.settings, **overrides)

    def search(
        self,
        principal: Principal,
        query: str,
        *,
        collection: str | None = None,
        options: SearchOptions | None = None,
        timings: SearchTimings | None = None,
        collection_ids: Sequence[str] | None = None,
        attributes: AttributeCondition | None = None,
    ) -> list[SearchHit]:
        """Search ``collection`` (a name), the collections ``collection_ids``, or all readable ones;
        ``attributes`` (OpenAI's attribute filter) narrows the query inside the vector store.

        :raises NotFound: a collection does not exist or the caller may not read it.
        """
        with self.db.session() as session:
            if collection_ids is not None:
                scope = access_scope_of(session=session, principal=principal, collection_ids=collection_ids)
            else:
                scope = access_scope(session=session, principal=principal, collection=collection)
        if attributes is not None:
            scope = replace(scope, attributes=attributes)
        return self.retriever.search(query, scope, options or self.options(), timings)

    def budget_for(self, *, max_tokens: int | None = None, model: str | None = None, history_tokens: int = 0) -> int:
        if max_tokens is not None:
            return max_tokens
        window = KNOWN_CONTEXT_WINDOWS.get(model or "", self.settings.llm_context_window)
        return context_budget(
            context_window=window,
            system_prompt_tokens=SYSTEM_PROMPT_RESERVE,
            history_tokens=history_tokens,
            answer_tokens=self.settings.llm_max_tokens,
        )

    def context(
        self,
        principal: Principal,
        query: str,
        *,
        max_tokens: int | None = None,
        model: str | None = None,
        collection: str | None = None,
        top_k: int = 12,
        history_tokens: int = 0,
        scope: SearchScope | None = None,
    ) -> tuple[ContextPublic, list[SearchHit]]:
        """``scope`` (OpenAI's file_search tool) replaces ``collection`` and ``top_k``."""
        budget = self.budget_for(max_tokens=max_tokens, model=model, history_tokens=history_tokens)
        if scope is None:
            options = replace(self.options(), top_k=top_k, neighbors=1)
            hits = self.search(principal, query, collection=collection, options=options)
        else:
            options = scope.options(replace(self.options(), neighbors=1), top_k)
            hits = self.search(
                principal, query, options=options, collection_ids=scope.collection_ids, attributes=scope.filters
            )
            hits = scope.narrow(hits, options, top_k)
        return self.assembler.assemble(hits, budget), hits
