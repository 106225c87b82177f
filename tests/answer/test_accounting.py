"""Accounting cannot be bypassed: a client that disconnects mid-stream stops the LLM and is charged
for what was used, and concurrent turns cannot together spend far past a key's monthly budget."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.app import create_app
from core.metadata.models import UsageRecord, UsageReservation
from core.tokens import count_tokens
from tests.api.test_chat import ingest
from tests.conftest import bearer
from tests.servers import FakeLLM, serve

pytestmark = pytest.mark.integration

LONG_ANSWER = "Remote workers must use the company VPN at all times [1]. " * 150


def llm_settings(settings, fake_llm: FakeLLM):  # type: ignore[no-untyped-def]
    return settings.model_copy(
        update={
            "llm_base_url": fake_llm.url,
            "llm_model": "fake-model",
            "llm_api_keys": [],
            "llm_timeout_s": 10.0,
            "prices": {"fake-model": {"prompt": 1.0, "completion": 2.0}},
        }
    )


def read_some_then_hang_up(url: str, key: str, path: str, body: dict, wanted: int) -> int:
    """Read ``wanted`` content-bearing SSE lines, then close the connection; returns lines read."""
    seen = 0
    with httpx.Client(timeout=30) as client, client.stream("POST", url + path, json=body, headers=bearer(key)) as r:
        assert r.status_code == 200
        for line in r.iter_lines():
            data = json.loads(line[5:]) if line.startswith("data: {") else {}
            if data.get("text") or (data.get("choices") and data["choices"][0]["delta"].get("content")):
                seen += 1
            if seen >= wanted:
                break
    return seen


def wait_for(condition, timeout: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_disconnect_mid_stream_stops_the_llm_and_charges_what_was_used(settings, fake_llm: FakeLLM, admin_key: str):  # type: ignore[no-untyped-def]
    configured = llm_settings(settings, fake_llm)
    app = create_app(configured)
    db = app.state.services.db
    with serve(app) as url, httpx.Client(base_url=url, timeout=30) as client:
        ingest(client, admin_key)  # type: ignore[arg-type]  # same API as the TestClient
        requests_before = len(fake_llm.requests)

        def usage_rows() -> list[UsageRecord]:
            with db.session() as session:
                return list(session.scalars(select(UsageRecord).where(UsageRecord.model == "fake-model")))

        for number, (path, body) in enumerate(
            [
                ("/v1/chat", {"message": "Do remote workers need the VPN?", "stream": True}),
                (
                    "/v1/chat/completions",
                    {"messages": [{"role": "user", "content": "Do remote workers need the VPN?"}], "stream": True},
                ),
            ],
            start=1,
        ):
            fake_llm.script = [("slow", LONG_ANSWER, 0.02)]
            assert read_some_then_hang_up(url, admin_key, path, body, wanted=3) == 3
            assert wait_for(lambda n=number: fake_llm.streams_closed_early == n), "the LLM stream was not closed"
            assert wait_for(lambda n=number: len(usage_rows()) == n), "no usage was recorded"
            row = usage_rows()[-1]
            whole = count_tokens(LONG_ANSWER)  # the provider reports usage only at the end: we counted
            assert 0 < row.completion_tokens < whole // 2 and row.prompt_tokens > 100
            assert row.cost == pytest.approx((row.prompt_tokens + 2 * row.completion_tokens) / 1e6)
        assert len(fake_llm.requests) == requests_before + 2
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(UsageReservation)) == 0


def test_concurrent_turns_cannot_spend_past_the_budget(settings, fake_llm: FakeLLM, admin_key: str) -> None:  # type: ignore[no-untyped-def]
    per_turn = 111 + 22  # the fake LLM reports this usage for every answer
    budget = 200  # room for one turn and a half
    with TestClient(create_app(llm_settings(settings, fake_llm))) as client:
        ingest(client, admin_key)
        limited = client.post(
            "/v1/admin/keys",
            json={"user": "busy", "role": "reader", "monthly_token_budget": budget},
            headers=bearer(admin_key),
        ).json()["key"]
        # slow enough that all ten turns start while the first holds its reservation, on a busy machine too
        fake_llm.script = [("slow", "Remote workers must use the company VPN at all times [1].", 0.1)] * 10

        def ask(_: int) -> int:
            return client.post(
                "/v1/chat", json={"message": "Do remote workers need the VPN?"}, headers=bearer(limited)
            ).status_code

        with ThreadPoolExecutor(10) as pool:
            statuses = list(pool.map(ask, range(10)))
        # The first turn holds a reservation larger than the budget, so the others are refused.
        assert statuses.count(200) == 1 and statuses.count(429) == 9
        fake_llm.script = []
        later = [ask(0) for _ in range(3)]  # 133 of 200 spent: one more turn may overrun, then no more
        assert later == [200, 429, 429]
        usage = {row["key"]: row for row in client.get("/v1/usage?group_by=user", headers=bearer(admin_key)).json()}
        spent = usage["busy"]["prompt_tokens"] + usage["busy"]["completion_tokens"]
        assert usage["busy"]["requests"] == 2 and budget < spent <= budget + per_turn
        refused = client.post("/v1/chat", json={"message": "VPN?"}, headers=bearer(limited))
        assert "monthly budget of 200 tokens" in refused.json()["error"]["message"]
        with client.app.state.services.db.session() as session:
            assert session.scalar(select(func.count()).select_from(UsageReservation)) == 0
