"""One chat turn, in order: budget reservation, input screening, conversation, standalone query,
retrieval (all in ``start``, so errors surface before any output), then ``events`` streams the
answer through the output gate, checks its citations, attributes the claims the model left
uncited (``answer.attribution``; the final events carry the result and the answer text with the
inserted markers) and records its usage.

>>> turn = chat.start(principal, "年假有几天？")
>>> for event in chat.events(turn): ...          # delta, reset, citations, done
>>> chat.answer(principal, "年假有几天？").answer  # the same events, consumed
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from answer.attribution import attribute
from answer.budget import TokenBudget
from answer.citations import CheckedAnswer, check_citations, quoted_citations
from answer.conversation import BLOCKED_MESSAGE, open_conversation, save_exchange
from answer.extractive import ExtractiveAnswerer
from answer.gate import SentenceGate
from answer.generate import stream_answer
from answer.ledger import UsageLedger
from answer.prompts import NO_ANSWER, build_messages, language_of, prompt_tokens
from answer.retrieve import ContextFetcher
from answer.rewrite import QueryRewriter
from answer.screening import InputScreen, refusal
from answer.semantic import QuerySideSimilarity, SemanticSimilarity
from answer.sentences import SentenceMatcher, source_sentences
from answer.turn import ChatEvent, ChatResult, Turn
from core.access import require_readable
from core.errors import ProviderError
from core.metadata.db import Database
from core.providers.embeddings import Embedder
from core.providers.glossary import shared_glossary
from core.providers.lexical import LexicalEncoder
from core.providers.llm import ChatModel, Message
from core.providers.moderation import Moderator
from core.providers.pii import parse_policy
from core.settings import Settings
from core.tokens import count_tokens
from core.types import Principal
from retrieval.scope import SearchScope
from retrieval.service import RetrievalService

log = logging.getLogger(__name__)


@dataclass
class _Outcome:
    mode: str  # llm | extractive | no_answer | blocked
    checked: CheckedAnswer
    fallback_reason: str | None = None


class ChatService:
    def __init__(
        self,
        *,
        db: Database,
        retrieval: RetrievalService,
        lexical: LexicalEncoder,
        embedder: Embedder | None = None,  # search's query-side model: extractive answers weigh sentences with it
        llm: ChatModel | None,
        moderator: Moderator,
        settings: Settings,
    ) -> None:
        self.db, self.llm, self.moderator, self.settings = db, llm, moderator, settings
        self.pii_policy = parse_policy(settings.pii_policy)
        self.budget = TokenBudget(db)
        self.ledger = UsageLedger(db, settings.prices)
        self.screen = InputScreen(moderator, self.pii_policy)
        self.rewriter = QueryRewriter(llm)
        self.fetcher = ContextFetcher(retrieval, settings, llm_enabled=llm is not None)
        self.matcher = SentenceMatcher(lexical)
        self.extractive = ExtractiveAnswerer(
            self.matcher,
            semantic=SemanticSimilarity(),
            glossary=shared_glossary(),
            query_side=QuerySideSimilarity(embedder) if embedder is not None else None,
        )

    # Before any output ---------------------------------------------------------------------------
    def start(
        self,
        principal: Principal,
        message: str,
        *,
        conversation_id: str | None = None,
        collection: str | None = None,
        history: list[Message] | None = None,
        scope: SearchScope | None = None,
        instructions: str | None = None,
    ) -> Turn:
        """Reserve budget, screen the input, open the conversation and retrieve. The turn holds a
        reservation until ``events`` ends or ``settle`` is called.

        :raises QuotaExceeded: the key's monthly token budget is spent or held by turns in progress.
        :raises NotFound: unknown conversation or collection.

        ``scope`` (OpenAI's file_search tool) searches its collections instead of ``collection``;
        ``instructions`` are the caller's, added to the system prompt below knowbase's own rules.
        """
        llm_ceiling = self.fetcher.prompt_ceiling() if self.llm else 0
        reservation = self.budget.reserve(principal, TokenBudget.ceiling(message, llm_tokens=llm_ceiling))
        turn = Turn(
            principal=principal,
            message=message,
            conversation_id="",
            history=[],
            query=message,
            context=None,
            hits=[],
            reservation=reservation,
            scope=scope,
            instructions=instructions,
        )
        try:
            self._prepare(turn, conversation_id, collection, history)
        except BaseException:
            self.settle(turn)
            raise
        return turn

    def _prepare(
        self, turn: Turn, conversation_id: str | None, collection: str | None, history: list[Message] | None
    ) -> None:
        if collection is not None:  # fail before anything is stored
            with self.db.session() as session:
                require_readable(session=session, principal=turn.principal, name=collection)
        turn.blocked = self.screen.blocked_categories(turn.message)
        turn.message = turn.query = self.screen.redact(turn.message)
        if history is not None:  # a client's own history reaches the LLM prompt: the same policy applies
            history = [{**item, "content": self.screen.redact(item.get("content", ""))} for item in history]
        turn.conversation_id, past = open_conversation(
            self.db,
            turn.principal,
            conversation_id=conversation_id,
            message=turn.message,
            blocked=bool(turn.blocked),
            collection=collection,
            history=history,
        )
        if turn.blocked:
            log.warning(
                "chat turn blocked", extra={"stage": "input", "categories": turn.blocked, "user": turn.principal.name}
            )
            return
        turn.query = self.rewriter.standalone(turn.message, past, turn.spend)
        retrieved = self.fetcher.fetch(turn.principal, turn.query, past, collection, turn.scope)
        turn.history, turn.context, turn.hits = retrieved.history, retrieved.context, retrieved.hits

    # Output ------------------------------------------------------------------------------------------
    def events(self, turn: Turn) -> Generator[ChatEvent, None, None]:
        """The answer as events. Closing this generator early (a client that went away) stops the
        LLM and charges the tokens used so far."""
        try:
            yield from self._events(turn)
        finally:
            self.settle(turn)

    def settle(self, turn: Turn) -> None:
        """Charge an unfinished turn for what it used and free its reservation (no-op once settled)."""
        if not turn.settled:
            turn.settled = True
            self.ledger.settle_unfinished(turn.principal, turn.spend, turn.reservation, turn.latency_ms)

    def _events(self, turn: Turn) -> Generator[ChatEvent, None, None]:
        language = language_of(turn.message)
        if turn.blocked:
            text = refusal(language, turn.blocked)
            outcome = _Outcome("blocked", CheckedAnswer(text, [], []))
            yield ChatEvent("delta", {"text": text})
        elif not turn.context or not turn.context.sources:
            outcome = _Outcome("no_answer", CheckedAnswer(NO_ANSWER[language], [], []))
            yield ChatEvent("delta", {"text": outcome.checked.text})
        else:
            outcome = yield from self._answer(turn, language)
        result = self._finish(turn, outcome)
        yield ChatEvent(
            "citations",
            {"citations": [c.model_dump() for c in result.citations], "unsupported_claims": result.unsupported_claims},
        )
        yield ChatEvent("done", result.model_dump(mode="json"))

    def _answer(self, turn: Turn, language: str) -> Generator[ChatEvent, None, _Outcome]:
        assert turn.context is not None
        sentences = source_sentences(turn.context, turn.hits)
        # The LLM's text is judged, except what it quotes verbatim from the sources the caller may read.
        readable = [source.text for source in turn.context.sources]
        gate = SentenceGate(self.moderator, self.pii_policy, readable=readable)
        mode, fallback_reason = "extractive", None
        if self.llm is not None:
            messages = build_messages(turn.message, turn.context, turn.history, turn.instructions)
            self.budget.resize(
                turn.reservation, turn.spend.total + prompt_tokens(messages) + self.settings.llm_max_tokens
            )
            shown = False
            try:
                with closing(stream_answer(self.llm, messages, turn.spend)) as deltas:
                    for delta in deltas:
                        safe = gate.feed(delta)
                        if gate.blocked:
                            break
                        if safe:
                            shown = True
                            yield ChatEvent("delta", {"text": safe})
                mode = "llm"
            except ProviderError as error:
                fallback_reason = error.message
                log.error(
                    "LLM failed; answering extractively", extra={"error": error.message, "user": turn.principal.name}
                )
                if shown:
                    reason = "the language model failed; answering from the documents instead"
                    yield ChatEvent("reset", {"reason": reason})
        extract = None
        if mode != "llm":
            gate = SentenceGate(self.moderator, self.pii_policy, quotes_only=True)  # quotes, nothing generated
            extract = self.extractive.answer(turn.message, sentences)
            mode = "extractive" if extract.answered else "no_answer"
            turn.spend.model = "extractive"
            turn.spend.add(0, count_tokens(extract.text))
            for line in extract.text.splitlines(keepends=True):
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
            turn.blocked = gate.blocked
            text = refusal(language, gate.blocked)
            yield ChatEvent("reset", {"reason": "the answer was blocked by the content policy"})
            yield ChatEvent("delta", {"text": text})
            return _Outcome("blocked", CheckedAnswer(text, [], []), fallback_reason)
        if extract is None:
            checked = attribute(check_citations(gate.released, sentences, self.matcher), sentences, self.matcher)
        elif extract.answered:
            checked = quoted_citations(gate.released, extract.quoted)
        else:
            checked = CheckedAnswer(extract.text, [], [])
        return _Outcome(mode, checked, fallback_reason)

    def _finish(self, turn: Turn, outcome: _Outcome) -> ChatResult:
        with self.db.session() as session:
            message_id = save_exchange(
                session,
                conversation_id=turn.conversation_id,
                question=BLOCKED_MESSAGE if turn.blocked and outcome.mode == "blocked" else turn.message,
                answer=outcome.checked.text,
                citations=outcome.checked.citations,
                mode=outcome.mode,
                unsupported_claims=outcome.checked.unsupported,
            )
            usage = self.ledger.charge(session, turn.principal, turn.spend, turn.reservation, turn.latency_ms)
        turn.settled = True
        stage = ("input" if turn.context is None else "output") if turn.blocked else None
        return ChatResult(
            answer=outcome.checked.text,
            citations=outcome.checked.citations,
            conversation_id=turn.conversation_id,
            message_id=message_id,
            mode=outcome.mode,
            usage=usage,
            moderation={"flagged": bool(turn.blocked), "categories": turn.blocked, "stage": stage},
            dropped_citations=outcome.checked.dropped,
            unsupported_claims=outcome.checked.unsupported,
            fallback_reason=outcome.fallback_reason,
        )

    # Convenience -----------------------------------------------------------------------------------
    def run(self, turn: Turn) -> ChatResult:
        """The turn's events consumed: its final result."""
        final: dict[str, Any] = {}
        for event in self.events(turn):
            if event.type == "done":
                final = event.data
        return ChatResult.model_validate(final)

    def answer(self, principal: Principal, message: str, **kwargs: Any) -> ChatResult:
        return self.run(self.start(principal, message, **kwargs))
