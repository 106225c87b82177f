"""The ChatModel contract: ``complete`` gives text, model and usage; ``stream`` gives deltas that add
up to the same answer and ends with exactly one ``done`` event; closing a stream early is allowed."""

from __future__ import annotations

import pytest

from core.providers.fakes import ScriptedChat
from core.providers.llm import ChatModel, OpenAICompatibleChat
from core.providers.llm_guard import GuardedChat
from tests.servers import FakeLLM

MESSAGES = [{"role": "user", "content": "Sources:\n[1] Doc\nLeave is fifteen days.\n\nQuestion: leave?"}]
ANSWER = "Leave is fifteen days. [1]"


class ChatModelContract:
    @pytest.fixture
    def chat(self) -> ChatModel:
        raise NotImplementedError

    def test_complete(self, chat: ChatModel) -> None:
        result = chat.complete(MESSAGES, max_tokens=50, temperature=0)
        assert result.text == ANSWER and result.model
        assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0

    def test_stream_adds_up_and_ends_once(self, chat: ChatModel) -> None:
        events = list(chat.stream(MESSAGES))
        assert "".join(e.delta for e in events) == ANSWER
        assert [e.done for e in events].count(True) == 1 and events[-1].done
        assert events[-1].usage is not None and events[-1].usage.completion_tokens > 0

    def test_stream_closed_early(self, chat: ChatModel) -> None:
        stream = chat.stream(MESSAGES)
        assert next(iter(stream)).delta
        stream.close()  # type: ignore[attr-defined]
        assert chat.complete(MESSAGES).text == ANSWER  # still usable afterwards


@pytest.mark.unit
class TestScriptedChat(ChatModelContract):
    @pytest.fixture
    def chat(self) -> ChatModel:
        return ScriptedChat([ANSWER])


@pytest.mark.unit
class TestOpenAICompatibleChat(ChatModelContract):
    @pytest.fixture
    def chat(self, fake_llm: FakeLLM) -> ChatModel:
        return OpenAICompatibleChat(fake_llm.url, "main-model", ["sk-a"], timeout_s=5, max_retries=0)


@pytest.mark.unit
class TestGuardedChat(ChatModelContract):
    @pytest.fixture
    def chat(self, fake_llm: FakeLLM) -> ChatModel:
        inner = OpenAICompatibleChat(fake_llm.url, "main-model", ["sk-a"], timeout_s=5, max_retries=0)
        return GuardedChat(inner, deadline_s=5, max_concurrency=2, breaker_failures=3, cooldown_s=30)
