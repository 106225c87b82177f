"""Chat completions from any OpenAI-compatible API (OpenAI, DeepSeek, Kimi, vLLM, Ollama, llama.cpp).

Goes through the official ``openai`` SDK (its transport, retries, streaming and error types), with
our backoff (exponential with jitter, honouring ``Retry-After``); fails over
across several API keys (on 401/403/429) and to a fallback model; translates every failure into the
knowbase error tree with a message a person can act on.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import httpx
import openai
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from core.errors import ProviderError, ProviderRateLimited, ProviderTimeout
from core.providers.openai_client import SDKClient, error_detail

log = logging.getLogger(__name__)
Message = dict[str, str]
T = TypeVar("T")


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reported: bool = False  # True when the provider said so; False when we counted


@dataclass
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str | None = None


@dataclass
class StreamEvent:
    delta: str = ""
    done: bool = False
    model: str = ""
    usage: Usage | None = None
    finish_reason: str | None = None


class ChatModel(Protocol):
    model: str

    def complete(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Completion: ...

    def stream(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Iterator[StreamEvent]: ...


class AuthenticationFailed(ProviderError):
    code = "llm_auth_failed"


class BadRequest(ProviderError):
    code = "llm_bad_request"


class OpenAICompatibleChat:
    def __init__(
        self,
        base_url: str,
        model: str,
        api_keys: list[str] | None = None,
        *,
        fallback_model: str = "",
        temperature: float = 0.2,
        max_tokens: int = 800,
        timeout_s: float = 60.0,
        max_retries: int = 3,
        backoff_s: float = 0.5,
        max_backoff_s: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.fallback_model = fallback_model
        self._keys = [k for k in (api_keys or []) if k] or [""]
        self._key_index = 0
        self._keys_tried: set[int] = set()
        self.temperature, self.max_tokens = temperature, max_tokens
        self._clients = [
            SDKClient(
                base_url=self.base_url,
                api_key=key or "none",
                timeout=httpx.Timeout(timeout_s, connect=10.0),
                max_retries=max_retries,
                backoff_s=backoff_s,
                max_backoff_s=max_backoff_s,
                sleep=sleep,
                can_fail_over=self._can_fail_over,
            )
            for key in self._keys
        ]

    def close(self) -> None:
        for client in self._clients:
            client.close()

    # Public API ---------------------------------------------------------------------------------
    def complete(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Completion:
        raw = self._with_fallback(messages, stream=False, max_tokens=max_tokens, temperature=temperature)
        try:
            body = raw.parse()
            if not isinstance(body, ChatCompletion):
                raise TypeError(f"unexpected body {type(body).__name__}")
            choice = body.choices[0]
            usage = body.usage
            return Completion(
                text=choice.message.content or "",
                model=body.model or self.model,
                usage=Usage(usage.prompt_tokens, usage.completion_tokens, reported=True) if usage else Usage(),
                finish_reason=choice.finish_reason,
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError, openai.OpenAIError) as error:
            raise ProviderError(f"the LLM returned a malformed response: {error}") from error

    def stream(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Iterator[StreamEvent]:
        """Deltas as they arrive, then one ``done`` event. A stream that ends without ``[DONE]`` or a
        finish reason raises ProviderError: the caller must not present a cut-off answer as complete.
        Closing the generator closes the HTTP stream."""
        raw = self._with_fallback(messages, stream=True, max_tokens=max_tokens, temperature=temperature)
        chunks = raw.parse()
        if not isinstance(chunks, openai.Stream):
            raise ProviderError("the LLM did not stream")
        model, usage, finish = self.model, None, None
        try:
            for chunk in chunks:
                if not isinstance(chunk, ChatCompletionChunk):
                    raise ProviderError("the LLM stream sent malformed data")
                model = chunk.model or model
                if chunk.usage:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens, reported=True)
                for choice in chunk.choices or []:
                    if choice.delta and choice.delta.content:
                        yield StreamEvent(delta=choice.delta.content, model=model)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except ValueError as error:  # json.JSONDecodeError: a data line that is not JSON
            raise ProviderError(f"the LLM stream sent malformed data: {error}") from error
        except (httpx.TimeoutException, openai.APITimeoutError) as error:
            raise ProviderTimeout(f"the LLM stream stalled: {error}") from error
        except (httpx.HTTPError, openai.APIError) as error:
            raise ProviderError(f"the LLM stream broke off: {error}") from error
        finally:
            chunks.close()
        if finish is None:
            # the SDK stops quietly at [DONE] or at the end of the body; only a finish reason proves completion
            raise ProviderError("the LLM stream ended before the answer was complete")
        yield StreamEvent(done=True, model=model, usage=usage, finish_reason=finish)

    def list_models(self) -> list[str]:
        try:
            return [m.id for m in self._call(lambda c: c.models.list())]
        except openai.OpenAIError as error:
            raise _translate(error, self.base_url) from error

    # Transport ---------------------------------------------------------------------------------
    def _can_fail_over(self) -> bool:
        return len(self._keys) > 1 and len(self._keys_tried | {self._key_index}) < len(self._keys)

    def _with_fallback(
        self, messages: list[Message], *, stream: bool, max_tokens: int | None, temperature: float | None
    ) -> Any:
        models = [self.model] + (
            [self.fallback_model] if self.fallback_model and self.fallback_model != self.model else []
        )
        options: dict[str, Any] = {
            "messages": messages,
            "temperature": self.temperature if temperature is None else temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "stream": stream,
        }
        if stream:
            options["stream_options"] = {"include_usage": True}
        last_error: ProviderError | None = None
        for model in models:
            try:
                return self._call(functools.partial(_create, model=model, options=options))
            except (AuthenticationFailed, BadRequest) as error:
                if isinstance(error, BadRequest) and "model" in error.message.lower() and model != models[-1]:
                    log.warning("LLM model refused; trying the fallback model", extra={"model": model})
                    last_error = error
                    continue
                raise
            except ProviderError as error:
                last_error = error
                if model != models[-1]:
                    log.warning("LLM failed; trying the fallback model", extra={"model": model, "error": error.message})
        assert last_error is not None
        raise last_error

    def _call(self, request: Callable[[SDKClient], T]) -> T:
        """Run ``request`` on the current key's client, failing over to the next key on 401/403/429."""
        self._keys_tried = set()
        while True:
            try:
                return request(self._clients[self._key_index])
            except openai.APIStatusError as error:
                if error.status_code in (401, 403, 429) and self._can_fail_over():
                    self._keys_tried.add(self._key_index)
                    self._key_index = (self._key_index + 1) % len(self._keys)
                    log.warning("LLM key refused or limited; failing over to the next key")
                    continue
                raise _translate(error, self.base_url) from error
            except openai.OpenAIError as error:
                raise _translate(error, self.base_url) from error


def _create(client: SDKClient, *, model: str, options: dict[str, Any]) -> Any:
    return client.chat.completions.with_raw_response.create(model=model, **options)


def _translate(error: openai.OpenAIError, base_url: str) -> ProviderError:
    if isinstance(error, openai.APITimeoutError):
        return ProviderTimeout(f"the LLM at {base_url} did not answer in time")
    if isinstance(error, openai.APIConnectionError):
        return ProviderError(f"the LLM at {base_url} is unreachable: {error}")
    if isinstance(error, openai.APIStatusError):
        status, detail = error.status_code, error_detail(error)
        if status in (401, 403):
            return AuthenticationFailed(
                f"the LLM refused the API key ({status}): {detail}. Check KNOWBASE_LLM_API_KEYS"
            )
        if status in (400, 404, 422):
            return BadRequest(f"the LLM rejected the request ({status}): {detail}")
        return (ProviderRateLimited if status == 429 else ProviderError)(f"the LLM answered {status}: {detail}")
    return ProviderError(f"the LLM call failed: {error}")
