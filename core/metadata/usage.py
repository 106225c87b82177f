"""The usage ledger: tokens, model, latency and cost of every chat turn, per user and key."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.metadata.models import ApiKey, UsageRecord, User

GroupBy = Literal["user", "model", "day"]


class UsageRow(BaseModel):
    key: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    cost: float
    mean_latency_ms: float
    p50_latency_ms: float = 0.0
    p95_latency_ms: float = 0.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (0 for no values): the smallest value with ``share`` of them at or below it."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))]


def cost_of(prices: dict[str, dict[str, float]], model: str, prompt_tokens: int, completion_tokens: int) -> float:
    """Prices are per million tokens: ``{"gpt-4o-mini": {"prompt": 0.15, "completion": 0.6}}``."""
    price = prices.get(model) or prices.get("*") or {}
    return round(
        (prompt_tokens * price.get("prompt", 0.0) + completion_tokens * price.get("completion", 0.0)) / 1_000_000, 6
    )


def record(
    *,
    session: Session,
    user_id: str | None,
    key_id: str | None,
    model: str,
    prompt_tokens: int,
    completion_tokens: int,
    cost: float,
    latency_ms: float,
    kind: str = "chat",
) -> None:
    session.add(
        UsageRecord(
            user_id=user_id,
            key_id=key_id,
            kind=kind,
            model=model,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost=cost,
            latency_ms=latency_ms,
        )
    )


def month_start(now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def tokens_this_month(*, session: Session, key_id: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(UsageRecord.prompt_tokens + UsageRecord.completion_tokens), 0)).where(
            UsageRecord.key_id == key_id, UsageRecord.created_at >= month_start()
        )
    )
    return int(total or 0)


def key_budget(*, session: Session, key_id: str) -> int | None:
    return session.scalar(select(ApiKey.monthly_token_budget).where(ApiKey.id == key_id))


def summary(
    *,
    session: Session,
    group_by: GroupBy,
    user_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[UsageRow]:
    if group_by == "user":
        label = func.coalesce(User.name, "(deleted user)")
    elif group_by == "model":
        label = UsageRecord.model
    else:
        label = func.substr(func.cast(UsageRecord.created_at, type_=User.name.type), 1, 10)
    query = (
        select(
            label.label("key"),
            func.count(UsageRecord.id),
            func.coalesce(func.sum(UsageRecord.prompt_tokens), 0),
            func.coalesce(func.sum(UsageRecord.completion_tokens), 0),
            func.coalesce(func.sum(UsageRecord.cost), 0.0),
            func.coalesce(func.avg(UsageRecord.latency_ms), 0.0),
        )
        .select_from(UsageRecord)
        .outerjoin(User, User.id == UsageRecord.user_id)
    )
    if user_id:
        query = query.where(UsageRecord.user_id == user_id)
    if since:
        query = query.where(UsageRecord.created_at >= since)
    if until:
        query = query.where(UsageRecord.created_at < until)
    rows = session.execute(query.group_by("key").order_by("key")).all()
    latencies: dict[str, list[float]] = defaultdict(list)
    for key, latency in session.execute(query.with_only_columns(label.label("key"), UsageRecord.latency_ms)):
        latencies[str(key)].append(float(latency or 0.0))
    return [
        UsageRow(
            key=str(k),
            requests=n,
            prompt_tokens=int(p),
            completion_tokens=int(c),
            cost=round(float(cost), 6),
            mean_latency_ms=round(float(lat), 1),
            p50_latency_ms=round(percentile(latencies[str(k)], 0.5), 1),
            p95_latency_ms=round(percentile(latencies[str(k)], 0.95), 1),
        )
        for k, n, p, c, cost, lat in rows
    ]
