"""The LLM guard: a dead LLM opens the breaker and chats answer extractively at once; the overall
deadline cuts a stream that trickles; the breaker lets one probe through after its cool-down."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.errors import ProviderTimeout, ProviderUnavailable
from core.providers.llm import Completion, Message, StreamEvent
from core.providers.llm_guard import CircuitBreaker, GuardedChat
from tests.api.test_chat import ingest
from tests.conftest import bearer
from tests.servers import FakeLLM

pytestmark = pytest.mark.unit


def test_breaker_opens_after_consecutive_failures_and_probes_once_after_cooldown() -> None:
    now = [0.0]
    breaker = CircuitBreaker(failures=2, cooldown_s=30, clock=lambda: now[0])
    breaker.before_call()
    breaker.record(False)
    breaker.before_call()
    breaker.record(False)
    with pytest.raises(ProviderUnavailable):
        breaker.before_call()
    now[0] = 31
    breaker.before_call()  # the half-open probe
    with pytest.raises(ProviderUnavailable):
        breaker.before_call()  # only one probe at a time
    breaker.record(True)
    breaker.before_call()  # closed again


class _Trickle:
    """A chat model whose stream sends one piece per 0.3 s, forever."""

    model = "trickle"
    closed = False

    def complete(self, messages: list[Message], **_: object) -> Completion:
        time.sleep(5)
        return Completion(text="late", model=self.model)

    def stream(self, messages: list[Message], **_: object) -> Iterator[StreamEvent]:
        try:
            while True:
                time.sleep(0.3)
                yield StreamEvent(delta="x", model=self.model)
        finally:
            self.closed = True


def test_overall_deadline_cuts_a_trickling_stream_and_a_hanging_call() -> None:
    inner = _Trickle()
    guarded = GuardedChat(inner, deadline_s=1.0, max_concurrency=2, breaker_failures=5, cooldown_s=30)
    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        for _ in guarded.stream([]):
            pass
    assert time.monotonic() - started < 1.3
    started = time.monotonic()
    with pytest.raises(ProviderTimeout):
        guarded.complete([])
    assert time.monotonic() - started < 1.3
    time.sleep(0.5)
    assert inner.closed  # the worker closed the inner stream at its next piece


@pytest.fixture
def dead_llm_client(settings, fake_llm):  # type: ignore[no-untyped-def]
    configured = settings.model_copy(
        update={
            "llm_base_url": fake_llm.url,
            "llm_model": "fake-model",
            "llm_api_keys": [],
            "llm_timeout_s": 1.0,
            "llm_breaker_failures": 2,
            "llm_breaker_cooldown_s": 30.0,
        }
    )
    with TestClient(create_app(configured)) as client:
        yield client


def test_open_breaker_answers_extractively_at_once(
    dead_llm_client: TestClient, admin_key: str, fake_llm: FakeLLM
) -> None:
    ingest(dead_llm_client, admin_key)
    fake_llm.script = ["timeout"] * 20  # the fake answers after 3 s: past the 1 s deadline
    durations = []
    for _ in range(3):
        started = time.monotonic()
        result = dead_llm_client.post(
            "/v1/chat", json={"message": "office hours on weekdays"}, headers=bearer(admin_key)
        ).json()
        durations.append(time.monotonic() - started)
        assert result["mode"] == "extractive" and "nine to five" in result["answer"]
    print("turn durations (s):", [round(d, 3) for d in durations])
    assert durations[0] >= 0.9 and durations[1] >= 0.9  # the deadline, not the fake's 3 s
    assert durations[0] < 2.5 and durations[1] < 2.5
    assert durations[2] < 0.2  # breaker open: no LLM call at all
