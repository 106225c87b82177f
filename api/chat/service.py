"""One chat turn: checks and retrieval in ``start`` (errors become HTTP errors), then ``events``
streams the answer. The non-streaming API consumes the same events, so there is one implementation."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from api.chat.gate import SentenceGate
from core.access import require_readable
from core.errors import ProviderError, QuotaExceeded
from core.metadata import conversations, usage
from core.metadata.db import Database
from core.providers.llm import ChatModel
from core.providers.moderation import Moderator
from core.providers.pii import find_pii, parse_policy, redact
from core.settings import Settings
from core.tokens import count_tokens
from core.types import Principal
from retrieval.answering import (
    NO_ANSWER,
    REWRITE_PROMPT,
    ExtractiveAnswerer,
    build_messages,
    heuristic_standalone_query,
    language_of,
    trim_history,
)
from retrieval.citations import Citation, check_citations
from retrieval.context import ContextPublic
from retrieval.search import SearchHit
from retrieval.service import RetrievalService

log = logging.getLogger(__name__)
REFUSAL = {
    "en": "I can't help with that request. It was blocked by the content policy ({categories}).",
    "zh": "抱歉，该请求无法处理：内容因违反使用规范（{categories}）已被拦截。",
}
EXTRACTIVE_CONTEXT_TOKENS = 2000


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
    fallback_reason: str | None = None


@dataclass
class Turn:
    principal: Principal
    message: str  # after PII redaction
    conversation_id: str
    history: list[dict[str, str]]
    query: str
    context: ContextPublic | None
    hits: list[SearchHit]
    blocked: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    rewrite_usage: tuple[int, int] = (0, 0)


class ChatService:
    def __init__(
        self,
        *,
        db: Database,
        retrieval: RetrievalService,
        llm: ChatModel | None,
        moderator: Moderator,
        settings: Settings,
    ) -> None:
        self.db, self.retrieval, self.llm, self.moderator, self.settings = db, retrieval, llm, moderator, settings
        self.extractive = ExtractiveAnswerer(retrieval.retriever.lexical)
        self.pii_policy = parse_policy(settings.pii_policy)

    # Before any output ---------------------------------------------------------------------------
    def start(
        self,
        principal: Principal,
        message: str,
        *,
        conversation_id: str | None = None,
        collection: str | None = None,
        history: list[dict[str, str]] | None = None,
    ) -> Turn:
        """Budget, input moderation, conversation and retrieval.

        :raises QuotaExceeded: the key's monthly token budget is spent.
        :raises NotFound: unknown conversation or collection.
        """
        self._check_budget(principal)
        if collection is not None:  # fail before anything is stored
            with self.db.session() as session:
                require_readable(session=session, principal=principal, name=collection)
        blocked = self._input_blocked(message)
        clean = redact(message, find_pii(message), self.pii_policy)
        with self.db.session() as session:
            conversation = conversations.get_or_create(
                session=session,
                user_id=principal.user_id,
                conversation_id=conversation_id,
                title="(blocked)" if blocked else clean.strip()[:80],
                collection=collection,
            )
            past = (
                history
                if history is not None
                else conversations.history(session=session, conversation_id=conversation.id)
            )
            conversation_id = conversation.id
        turn = Turn(principal, clean, conversation_id, past, clean, None, [], blocked)
        if blocked:
            log.warning("chat turn blocked", extra={"stage": "input", "categories": blocked, "user": principal.name})
            return turn
        turn.query = self._standalone_query(turn)
        history_budget = self.settings.llm_context_window // 4 if self.llm else 0
        turn.history = trim_history(past, history_budget) if self.llm else []
        history_tokens = sum(count_tokens(m["content"]) + 4 for m in turn.history)
        max_tokens = None if self.llm else EXTRACTIVE_CONTEXT_TOKENS
        turn.context, turn.hits = self.retrieval.context(
            principal,
            turn.query,
            max_tokens=max_tokens,
            model=self.settings.llm_model or None,
            collection=collection,
            history_tokens=history_tokens,
        )
        return turn

    def _check_budget(self, principal: Principal) -> None:
        if not principal.key_id:
            return
        with self.db.session() as session:
            budget = usage.key_budget(session=session, key_id=principal.key_id)
            used = usage.tokens_this_month(session=session, key_id=principal.key_id) if budget else 0
        if budget and used >= budget:
            raise QuotaExceeded(
                f"this API key's monthly budget of {budget:,} tokens is used up ({used:,} used); "
                "it renews on the 1st of the month, or an admin can raise it"
            )

    def _input_blocked(self, message: str) -> list[str]:
        result = self.moderator.check(message)
        if result.flagged:
            return result.flagged_categories
        return sorted({f"pii:{m.type}" for m in find_pii(message) if self.pii_policy.get(m.type) == "block"})

    def _standalone_query(self, turn: Turn) -> str:
        questions = [m["content"] for m in turn.history if m["role"] == "user"]
        if not questions:
            return turn.message
        if self.llm is not None:
            transcript = "\n".join(f"{m['role']}: {m['content'][:500]}" for m in turn.history[-6:])
            try:
                rewritten = self.llm.complete(
                    [
                        {"role": "system", "content": REWRITE_PROMPT},
                        {"role": "user", "content": f"{transcript}\nuser: {turn.message}"},
                    ],
                    max_tokens=80,
                    temperature=0,
                )
                turn.rewrite_usage = (rewritten.usage.prompt_tokens, rewritten.usage.completion_tokens)
                if rewritten.text.strip():
                    return rewritten.text.strip().strip('"')
            except ProviderError as error:
                log.warning("query rewrite failed; using the heuristic", extra={"error": error.message})
        return heuristic_standalone_query(turn.message, questions)

    # Output ------------------------------------------------------------------------------------------
    def events(self, turn: Turn) -> Iterator[ChatEvent]:
        language = language_of(turn.message)
        gate = SentenceGate(self.moderator, self.pii_policy)
        mode, model, fallback_reason = "blocked", "none", None
        prompt_tokens, completion_tokens = turn.rewrite_usage
        raw = ""
        if turn.blocked:
            raw = REFUSAL[language].format(categories=", ".join(turn.blocked))
            yield ChatEvent("delta", {"text": raw})
        elif not turn.context or not turn.context.sources:
            mode, model, raw = "no_answer", "none", NO_ANSWER[language]
            yield ChatEvent("delta", {"text": raw})
        else:
            if self.llm is not None:
                messages = build_messages(turn.message, turn.context, turn.history)
                try:
                    shown = False
                    for event in self.llm.stream(messages):
                        if event.done:
                            model = event.model or self.llm.model
                            if event.usage and event.usage.reported:
                                prompt_tokens += event.usage.prompt_tokens
                                completion_tokens += event.usage.completion_tokens
                            else:
                                prompt_tokens += sum(count_tokens(m["content"]) + 4 for m in messages)
                                completion_tokens += count_tokens(raw)
                            break
                        raw += event.delta
                        safe = gate.feed(event.delta)
                        if gate.blocked:
                            break
                        if safe:
                            shown = True
                            yield ChatEvent("delta", {"text": safe})
                    mode = "llm"
                except ProviderError as error:
                    fallback_reason = error.message
                    log.error(
                        "LLM failed; answering extractively",
                        extra={"error": error.message, "user": turn.principal.name},
                    )
                    if shown:
                        yield ChatEvent(
                            "reset", {"reason": "the language model failed; answering from the documents instead"}
                        )
                    gate = SentenceGate(self.moderator, self.pii_policy)
                    raw = ""
            if mode != "llm":
                extract = self.extractive.answer(turn.message, turn.context)
                mode, model, raw = ("extractive" if extract.answered else "no_answer"), "extractive", extract.text
                completion_tokens += count_tokens(raw)
                for line in raw.splitlines(keepends=True):
                    safe = gate.feed(line)
                    if safe:
                        yield ChatEvent("delta", {"text": safe})
            tail = gate.flush()
            if tail:
                yield ChatEvent("delta", {"text": tail})
            if gate.blocked:
                log.warning(
                    "chat answer blocked",
                    extra={"stage": "output", "categories": gate.blocked, "user": turn.principal.name},
                )
                turn.blocked, mode = gate.blocked, "blocked"
                raw = REFUSAL[language].format(categories=", ".join(gate.blocked))
                yield ChatEvent("reset", {"reason": "the answer was blocked by the content policy"})
                yield ChatEvent("delta", {"text": raw})

        answer, citations, dropped = raw, [], []
        if mode in ("llm", "extractive") and turn.context:
            checked = check_citations(gate.released, turn.context.sources, turn.hits)
            answer, citations, dropped = checked.text, checked.citations, checked.dropped
        result = self._finish(
            turn, answer, citations, dropped, mode, model, prompt_tokens, completion_tokens, fallback_reason
        )
        yield ChatEvent("citations", {"citations": [c.model_dump() for c in citations]})
        yield ChatEvent("done", result.model_dump(mode="json"))

    def _finish(
        self,
        turn: Turn,
        answer: str,
        citations: list[Citation],
        dropped: list[int],
        mode: str,
        model: str,
        prompt_tokens: int,
        completion_tokens: int,
        fallback_reason: str | None,
    ) -> ChatResult:
        latency_ms = (time.perf_counter() - turn.started) * 1000
        cost = usage.cost_of(self.settings.prices, model, prompt_tokens, completion_tokens)
        with self.db.session() as session:
            user_text = "[blocked by moderation]" if turn.blocked and mode == "blocked" else turn.message
            conversations.add_message(
                session=session, conversation_id=turn.conversation_id, role="user", content=user_text
            )
            stored = conversations.add_message(
                session=session,
                conversation_id=turn.conversation_id,
                role="assistant",
                content=answer,
                citations=[c.model_dump() for c in citations],
                mode=mode,
            )
            usage.record(
                session=session,
                user_id=turn.principal.user_id,
                key_id=turn.principal.key_id,
                model=model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                cost=cost,
                latency_ms=latency_ms,
            )
            message_id = stored.id
        moderation = {
            "flagged": bool(turn.blocked),
            "categories": turn.blocked,
            "stage": ("input" if turn.context is None else "output") if turn.blocked else None,
        }
        return ChatResult(
            answer=answer,
            citations=citations,
            conversation_id=turn.conversation_id,
            message_id=message_id,
            mode=mode,
            usage=ChatUsage(
                model=model,
                prompt_tokens=prompt_tokens,
                completion_tokens=completion_tokens,
                total_tokens=prompt_tokens + completion_tokens,
                cost=cost,
                latency_ms=round(latency_ms, 1),
            ),
            moderation=moderation,
            dropped_citations=dropped,
            fallback_reason=fallback_reason,
        )

    def answer(self, principal: Principal, message: str, **kwargs: Any) -> ChatResult:
        final: dict[str, Any] = {}
        for event in self.events(self.start(principal, message, **kwargs)):
            if event.type == "done":
                final = event.data
        return ChatResult.model_validate(final)
