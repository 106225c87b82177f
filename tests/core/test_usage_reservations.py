"""Budget reservations in the usage ledger: held tokens count against the budget until released;
reservations of turns that died stop counting after RESERVATION_TTL."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, inspect, select, text, update

from core.errors import QuotaExceeded
from core.metadata import accounts, usage
from core.metadata.bootstrap import bootstrap
from core.metadata.db import Database
from core.metadata.models import UsageReservation
from core.security import generate_api_key
from core.types import Role

pytestmark = pytest.mark.unit


def test_reserve_refuses_once_spent_plus_held_reaches_the_budget(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'kb.db'}")
    bootstrap(db, generate_api_key())
    with db.session() as session:
        limited = accounts.create_key(session=session, user="ann", role=Role.reader, monthly_token_budget=1000)
        unlimited = accounts.create_key(session=session, user="bob", role=Role.reader)
    with db.session() as session:
        assert usage.reserve(session=session, key_id=unlimited.id, tokens=10**9) is None
    with db.session() as session:
        first = usage.reserve(session=session, key_id=limited.id, tokens=600)
    with db.session() as session:
        second = usage.reserve(session=session, key_id=limited.id, tokens=600)  # 600 held < 1000: one overrun
    held = r"budget of 1,000 tokens .*1,200 held by answers in progress"
    with pytest.raises(QuotaExceeded, match=held), db.session() as session:
        usage.reserve(session=session, key_id=limited.id, tokens=1)
    with db.session() as session:
        assert first is not None and second is not None
        usage.release(session=session, reservation_id=first)
        usage.resize_reservation(session=session, reservation_id=second, tokens=100)
        usage.record(
            session=session,
            user_id=None,
            key_id=limited.id,
            model="m",
            prompt_tokens=500,
            completion_tokens=0,
            cost=0,
            latency_ms=1,
        )
    with db.session() as session:  # 500 spent + 100 held
        third = usage.reserve(session=session, key_id=limited.id, tokens=900)
    with db.session() as session:  # a dead turn's reservation: older than the TTL, dropped
        session.execute(
            update(UsageReservation)
            .where(UsageReservation.id.in_([second, third]))
            .values(created_at=datetime.now(UTC) - usage.RESERVATION_TTL * 2)
        )
    with db.session() as session:
        assert usage.reserve(session=session, key_id=limited.id, tokens=1) is not None
        assert session.scalar(select(func.count()).select_from(UsageReservation)) == 1
    db.close()


DATABASES = ["sqlite"] + ([os.environ["KB_TEST_POSTGRES_URL"]] if os.environ.get("KB_TEST_POSTGRES_URL") else [])


@pytest.mark.parametrize("url", DATABASES)
def test_concurrent_reservations_are_serialised(tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten turns reserve 600 of a 1,000-token budget at once: exactly two get through."""
    held = usage.reserved_tokens

    def slowly_held(**kwargs: Any) -> int:  # widen the window between reading the sums and inserting
        total = held(**kwargs)
        time.sleep(0.05)
        return total

    monkeypatch.setattr(usage, "reserved_tokens", slowly_held)
    if url == "sqlite":
        url = f"sqlite:///{tmp_path / 'kb.db'}"
    else:  # a scratch PostgreSQL database: start from empty tables
        scratch = Database(url)
        with scratch.engine.begin() as conn:  # every table, alembic_version included
            for table in inspect(conn).get_table_names():
                conn.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
        scratch.close()
    db = Database(url)
    bootstrap(db, generate_api_key())
    with db.session() as session:
        key = accounts.create_key(session=session, user="ann", role=Role.reader, monthly_token_budget=1000)
    barrier = threading.Barrier(10)

    def reserve(_: int) -> bool:
        barrier.wait()
        try:
            with db.session() as session:
                usage.reserve(session=session, key_id=key.id, tokens=600)
            return True
        except QuotaExceeded:
            return False

    with ThreadPoolExecutor(10) as pool:
        granted = list(pool.map(reserve, range(10)))
    assert granted.count(True) == 2
    db.close()
