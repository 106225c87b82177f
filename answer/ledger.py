"""The usage record of a turn: its tokens, model, cost and latency go to the ledger, and its budget
reservation is released in the same transaction. Every turn is settled exactly once, whether it
answered, failed, or lost its client mid-stream."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from answer.turn import ChatUsage, Spend
from core.metadata import usage
from core.metadata.db import Database
from core.types import Principal

log = logging.getLogger(__name__)


class UsageLedger:
    def __init__(self, db: Database, prices: dict[str, dict[str, float]]) -> None:
        self.db, self.prices = db, prices

    def charge(
        self, session: Session, principal: Principal, spend: Spend, reservation: int | None, latency_ms: float
    ) -> ChatUsage:
        """Record the turn's usage and release its reservation, in ``session``'s transaction."""
        cost = usage.cost_of(self.prices, spend.model, spend.prompt_tokens, spend.completion_tokens)
        usage.record(
            session=session,
            user_id=principal.user_id,
            key_id=principal.key_id,
            model=spend.model,
            prompt_tokens=spend.prompt_tokens,
            completion_tokens=spend.completion_tokens,
            cost=cost,
            latency_ms=latency_ms,
        )
        if reservation is not None:
            usage.release(session=session, reservation_id=reservation)
        return ChatUsage(
            model=spend.model,
            prompt_tokens=spend.prompt_tokens,
            completion_tokens=spend.completion_tokens,
            total_tokens=spend.total,
            cost=cost,
            latency_ms=round(latency_ms, 1),
        )

    def settle_unfinished(self, principal: Principal, spend: Spend, reservation: int | None, latency_ms: float) -> None:
        """A turn that ends without an answer: charge what it used (if anything), free its reservation."""
        with self.db.session() as session:
            if spend.total:
                self.charge(session, principal, spend, reservation, latency_ms)
                log.info(
                    "unfinished chat turn charged",
                    extra={"user": principal.name, "model": spend.model, "tokens": spend.total},
                )
            elif reservation is not None:
                usage.release(session=session, reservation_id=reservation)
