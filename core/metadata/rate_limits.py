"""Per-key rate limits as OpenAI's platform has them: requests and tokens per minute.

Counted in fixed one-minute windows stored in the metadata DB, so every process and replica
shares them. A request is counted with one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``,
on SQLite and PostgreSQL alike) which holds the row's lock until the transaction ends: a request
over the limit rolls its increment back, so refused requests do not use up the window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.metadata.models import ApiKey, RateLimitWindow
from core.security import hash_api_key

WINDOW_S = 60


@dataclass(frozen=True, slots=True)
class KeyLimits:
    key_id: str
    requests_per_minute: int | None
    tokens_per_minute: int | None

    @property
    def limited(self) -> bool:
        return self.requests_per_minute is not None or self.tokens_per_minute is not None


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    limits: KeyLimits
    requests_used: int
    tokens_used: int
    reset_s: float  # until the window ends, when both counts start again from 0

    @property
    def remaining_requests(self) -> int | None:
        limit = self.limits.requests_per_minute
        return None if limit is None else max(0, limit - self.requests_used)

    @property
    def remaining_tokens(self) -> int | None:
        limit = self.limits.tokens_per_minute
        return None if limit is None else max(0, limit - self.tokens_used)


def limits_of_key(
    session: Session, key: str, default_requests: int | None = None, default_tokens: int | None = None
) -> KeyLimits | None:
    """The limits of an active key (the server's defaults where the key sets none), or None for an
    unknown or revoked key (authentication refuses it)."""
    row = session.execute(
        select(ApiKey.id, ApiKey.requests_per_minute, ApiKey.tokens_per_minute, ApiKey.revoked_at).where(
            ApiKey.key_hash == hash_api_key(key)
        )
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return KeyLimits(
        row.id,
        row.requests_per_minute if row.requests_per_minute is not None else default_requests,
        row.tokens_per_minute if row.tokens_per_minute is not None else default_tokens,
    )


def consume(session: Session, limits: KeyLimits, tokens: int, now: float | None = None) -> RateDecision:
    """Count one request of ``tokens`` (estimated) against ``limits``; the caller commits the session
    when allowed and rolls it back when not (the counts then stay as they were)."""
    now = time.time() if now is None else now
    minute = int(now // WINDOW_S)
    reset_s = (minute + 1) * WINDOW_S - now
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    first = insert(RateLimitWindow).values(key_id=limits.key_id, minute=minute, requests=1, tokens=tokens)
    upsert = first.on_conflict_do_update(
        index_elements=[RateLimitWindow.key_id, RateLimitWindow.minute],
        set_={
            "requests": RateLimitWindow.requests + 1,
            "tokens": RateLimitWindow.tokens + tokens,
        },
    ).returning(RateLimitWindow.requests, RateLimitWindow.tokens)
    requests_used, tokens_used = session.execute(upsert).one()
    over_requests = limits.requests_per_minute is not None and requests_used > limits.requests_per_minute
    over_tokens = limits.tokens_per_minute is not None and tokens_used > limits.tokens_per_minute
    if over_requests or over_tokens:
        # What the caller will see: the window as it stands without this refused request.
        return RateDecision(False, limits, requests_used - 1, tokens_used - tokens, reset_s)
    session.execute(
        delete(RateLimitWindow).where(RateLimitWindow.key_id == limits.key_id, RateLimitWindow.minute < minute)
    )
    return RateDecision(True, limits, requests_used, tokens_used, reset_s)


def format_reset(seconds: float) -> str:
    """A duration as OpenAI writes it in ``x-ratelimit-reset-*``: ``"1s"``, ``"6m0s"``, ``"250ms"``."""
    if seconds < 1:
        return f"{max(1, math.ceil(seconds * 1000))}ms"
    whole = math.ceil(seconds)
    minutes, secs = divmod(whole, 60)
    return f"{minutes}m{secs}s" if minutes else f"{secs}s"
