"""Budget check before a turn: reserve what it may spend, atomically, in the metadata DB.

The reservation is first sized to the most a turn can use (its query rewrite, a full context window
and the longest answer); once the prompt is known it shrinks to that prompt plus the longest
answer; the usage record replaces it when the turn ends (``answer.ledger``).
"""

from __future__ import annotations

from core.metadata import usage
from core.metadata.db import Database
from core.tokens import count_tokens
from core.types import Principal

REWRITE_RESERVE = 1000  # the standalone-query rewrite: a short transcript and an 80-token answer
EXTRACTIVE_ANSWER_RESERVE = 400  # at most three quoted sentences


class TokenBudget:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def ceiling(message: str, *, llm_tokens: int) -> int:
        """The most a turn for ``message`` can spend; ``llm_tokens`` is the LLM answer's ceiling (0 without)."""
        if not llm_tokens:
            return count_tokens(message) + EXTRACTIVE_ANSWER_RESERVE
        return count_tokens(message) + REWRITE_RESERVE + llm_tokens

    def reserve(self, principal: Principal, tokens: int) -> int | None:
        """:raises QuotaExceeded: the key's monthly budget is spent or held by its turns in progress."""
        if not principal.key_id:
            return None
        with self.db.session() as session:
            return usage.reserve(session=session, key_id=principal.key_id, tokens=tokens)

    def resize(self, reservation: int | None, tokens: int) -> None:
        if reservation is not None:
            with self.db.session() as session:
                usage.resize_reservation(session=session, reservation_id=reservation, tokens=tokens)
