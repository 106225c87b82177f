import httpx
import pytest

from core.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from core.providers.llm import AuthenticationFailed, BadRequest, OpenAICompatibleChat
from tests.servers import FakeLLM

pytestmark = pytest.mark.unit

MESSAGES = [{"role": "user", "content": "Sources:\n[1] Doc\nLeave is fifteen days.\n\nQuestion: leave?"}]


def chat(fake: FakeLLM, **kwargs) -> tuple[OpenAICompatibleChat, list[float]]:  # type: ignore[no-untyped-def]
    sleeps: list[float] = []
    options = {
        "api_keys": ["sk-a"],
        "timeout_s": 1.0,
        "max_retries": 3,
        "backoff_s": 0.01,
        "sleep": sleeps.append,
        **kwargs,
    }
    return OpenAICompatibleChat(fake.url, "main-model", **options), sleeps


def test_completion_and_usage(fake_llm: FakeLLM) -> None:
    model, _ = chat(fake_llm)
    result = model.complete(MESSAGES)
    assert result.text == "Leave is fifteen days. [1]" and result.usage.prompt_tokens == 111 and result.usage.reported
    assert (
        fake_llm.requests[0]["authorization"] == "Bearer sk-a" and fake_llm.requests[0]["body"]["model"] == "main-model"
    )
    assert model.list_models() == ["fake-model"]


def test_retries_429_5xx_and_timeouts_honouring_retry_after(fake_llm: FakeLLM) -> None:
    fake_llm.script = [429, 500, "timeout"]
    model, sleeps = chat(fake_llm)
    assert model.complete(MESSAGES).text.endswith("[1]")
    assert len(fake_llm.requests) == 4
    assert sleeps[0] < 0.01  # Retry-After: 0 honoured (plus jitter of at most 25 %)
    assert 0.02 <= sleeps[1] <= 0.025 and 0.04 <= sleeps[2] <= 0.05  # exponential backoff with jitter


def test_gives_up_with_the_right_error(fake_llm: FakeLLM) -> None:
    fake_llm.script = [500] * 4
    with pytest.raises(ProviderError, match="answered 500"):
        chat(fake_llm)[0].complete(MESSAGES)
    fake_llm.script = [429] * 4
    with pytest.raises(ProviderRateLimited):
        chat(fake_llm)[0].complete(MESSAGES)
    fake_llm.script = ["timeout"] * 4
    with pytest.raises(ProviderTimeout, match="did not answer in time"):
        chat(fake_llm)[0].complete(MESSAGES)
    fake_llm.script = ["malformed"]
    with pytest.raises(ProviderError, match="malformed"):
        chat(fake_llm)[0].complete(MESSAGES)


def test_key_failover_and_clear_auth_error(fake_llm: FakeLLM) -> None:
    fake_llm.script = [401]
    model, _ = chat(fake_llm, api_keys=["sk-bad", "sk-good"])
    assert model.complete(MESSAGES).text
    assert [r["authorization"] for r in fake_llm.requests] == ["Bearer sk-bad", "Bearer sk-good"]
    fake_llm.script = [401, 401]
    with pytest.raises(AuthenticationFailed, match="KNOWBASE_LLM_API_KEYS"):
        chat(fake_llm, api_keys=["sk-1", "sk-2"])[0].complete(MESSAGES)


def test_fallback_model(fake_llm: FakeLLM) -> None:
    fake_llm.script = ["model"]
    model, _ = chat(fake_llm, fallback_model="backup-model")
    assert model.complete(MESSAGES).text
    assert [r["body"]["model"] for r in fake_llm.requests] == ["main-model", "backup-model"]
    fake_llm.script = ["model"]
    with pytest.raises(BadRequest, match="not found"):
        chat(fake_llm)[0].complete(MESSAGES)


def test_streaming_and_broken_streams(fake_llm: FakeLLM) -> None:
    model, _ = chat(fake_llm)
    events = list(model.stream(MESSAGES))
    assert "".join(e.delta for e in events) == "Leave is fifteen days. [1]"
    assert events[-1].done and events[-1].usage.completion_tokens == 22
    fake_llm.script = ["cutoff"]
    with pytest.raises(ProviderError, match="ended before the answer was complete"):
        list(model.stream(MESSAGES))
    fake_llm.script = ["malformed"]
    with pytest.raises(ProviderError, match="malformed data"):
        list(model.stream(MESSAGES))


def test_unreachable_server() -> None:
    model = OpenAICompatibleChat("http://127.0.0.1:9/v1", "m", max_retries=1, backoff_s=0, sleep=lambda s: None)
    with pytest.raises(ProviderError, match="unreachable"):
        model.complete(MESSAGES)
    assert isinstance(httpx.ConnectError("x"), httpx.HTTPError)
