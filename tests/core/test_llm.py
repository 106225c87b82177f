import httpx
import pytest

from core.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from core.providers.llm import AuthenticationFailed, BadRequest, OpenAICompatibleChat
from tests.servers import FakeLLM, serve

MESSAGES = [{"role": "user", "content": "Sources:\n[1] Doc\nLeave is fifteen days.\n\nQuestion: leave?"}]


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    llm = FakeLLM()
    with serve(llm.app()) as url:
        llm.url = url + "/v1"
        yield llm


def chat(fake: FakeLLM, **kwargs) -> tuple[OpenAICompatibleChat, list[float]]:  # type: ignore[no-untyped-def]
    sleeps: list[float] = []
    options = {"api_keys": ["sk-a"], "timeout_s": 1.0, "max_retries": 3, "backoff_s": 0.01, "sleep": sleeps.append, **kwargs}
    return OpenAICompatibleChat(fake.url, "main-model", **options), sleeps


def test_completion_and_usage(fake: FakeLLM) -> None:
    model, _ = chat(fake)
    result = model.complete(MESSAGES)
    assert result.text == "Leave is fifteen days. [1]" and result.usage.prompt_tokens == 111 and result.usage.reported
    assert fake.requests[0]["authorization"] == "Bearer sk-a" and fake.requests[0]["body"]["model"] == "main-model"
    assert model.list_models() == ["fake-model"]


def test_retries_429_5xx_and_timeouts_honouring_retry_after(fake: FakeLLM) -> None:
    fake.script = [429, 500, "timeout"]
    model, sleeps = chat(fake)
    assert model.complete(MESSAGES).text.endswith("[1]")
    assert len(fake.requests) == 4
    assert sleeps[0] < 0.01  # Retry-After: 0 honoured (plus jitter of at most 25 %)
    assert 0.02 <= sleeps[1] <= 0.025 and 0.04 <= sleeps[2] <= 0.05  # exponential backoff with jitter


def test_gives_up_with_the_right_error(fake: FakeLLM) -> None:
    fake.script = [500] * 4
    with pytest.raises(ProviderError, match="answered 500"):
        chat(fake)[0].complete(MESSAGES)
    fake.script = [429] * 4
    with pytest.raises(ProviderRateLimited):
        chat(fake)[0].complete(MESSAGES)
    fake.script = ["timeout"] * 4
    with pytest.raises(ProviderTimeout, match="did not answer in time"):
        chat(fake)[0].complete(MESSAGES)
    fake.script = ["malformed"]
    with pytest.raises(ProviderError, match="malformed"):
        chat(fake)[0].complete(MESSAGES)


def test_key_failover_and_clear_auth_error(fake: FakeLLM) -> None:
    fake.script = [401]
    model, _ = chat(fake, api_keys=["sk-bad", "sk-good"])
    assert model.complete(MESSAGES).text
    assert [r["authorization"] for r in fake.requests] == ["Bearer sk-bad", "Bearer sk-good"]
    fake.script = [401, 401]
    with pytest.raises(AuthenticationFailed, match="KNOWBASE_LLM_API_KEYS"):
        chat(fake, api_keys=["sk-1", "sk-2"])[0].complete(MESSAGES)


def test_fallback_model(fake: FakeLLM) -> None:
    fake.script = ["model"]
    model, _ = chat(fake, fallback_model="backup-model")
    assert model.complete(MESSAGES).text
    assert [r["body"]["model"] for r in fake.requests] == ["main-model", "backup-model"]
    fake.script = ["model"]
    with pytest.raises(BadRequest, match="not found"):
        chat(fake)[0].complete(MESSAGES)


def test_streaming_and_broken_streams(fake: FakeLLM) -> None:
    model, _ = chat(fake)
    events = list(model.stream(MESSAGES))
    assert "".join(e.delta for e in events) == "Leave is fifteen days. [1]"
    assert events[-1].done and events[-1].usage.completion_tokens == 22
    fake.script = ["cutoff"]
    with pytest.raises(ProviderError, match="ended before the answer was complete"):
        list(model.stream(MESSAGES))
    fake.script = ["malformed"]
    with pytest.raises(ProviderError, match="malformed data"):
        list(model.stream(MESSAGES))


def test_unreachable_server() -> None:
    model = OpenAICompatibleChat("http://127.0.0.1:9/v1", "m", max_retries=1, backoff_s=0, sleep=lambda s: None)
    with pytest.raises(ProviderError, match="unreachable"):
        model.complete(MESSAGES)
    assert isinstance(httpx.ConnectError("x"), httpx.HTTPError)
