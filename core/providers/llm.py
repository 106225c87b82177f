"""Chat completions from any OpenAI-compatible API (OpenAI, DeepSeek, Kimi, vLLM, Ollama, llama.cpp).

Retries 429/5xx/timeouts with exponential backoff and jitter, honouring ``Retry-After``; fails over
across several API keys (on 401/403/429) and to a fallback model; translates every failure into the
knowbase error tree with a message a person can act on.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from core.errors import ProviderError, ProviderRateLimited, ProviderTimeout

log = logging.getLogger(__name__)
Message = dict[str, str]


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
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.fallback_model = fallback_model
        self._keys = [k for k in (api_keys or []) if k] or [""]
        self._key_index = 0
        self.temperature, self.max_tokens = temperature, max_tokens
        self._client = client or httpx.Client(timeout=httpx.Timeout(timeout_s, connect=10.0))
        self._max_retries, self._backoff_s, self._max_backoff_s = max_retries, backoff_s, max_backoff_s
        self._sleep = sleep

    # Public API ---------------------------------------------------------------------------------
    def complete(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Completion:
        response = self._send(messages, stream=False, max_tokens=max_tokens, temperature=temperature)
        try:
            body = response.json()
            choice = body["choices"][0]
            text = choice["message"].get("content") or ""
            usage = body.get("usage") or {}
            return Completion(
                text=text,
                model=body.get("model") or self.model,
                usage=Usage(usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0), reported=bool(usage)),
                finish_reason=choice.get("finish_reason"),
            )
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as error:
            raise ProviderError(f"the LLM returned a malformed response: {error}") from error
        finally:
            response.close()

    def stream(
        self, messages: list[Message], *, max_tokens: int | None = None, temperature: float | None = None
    ) -> Iterator[StreamEvent]:
        """Deltas as they arrive, then one ``done`` event. A stream that ends without ``[DONE]`` or a
        finish reason raises ProviderError: the caller must not present a cut-off answer as complete."""
        response = self._send(messages, stream=True, max_tokens=max_tokens, temperature=temperature)
        model, usage, finish = self.model, None, None
        completed = False
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    completed = True
                    break
                try:
                    chunk = json.loads(data)
                except ValueError as error:
                    raise ProviderError(f"the LLM stream sent malformed data: {data[:80]!r}") from error
                model = chunk.get("model") or model
                if chunk.get("usage"):
                    u = chunk["usage"]
                    usage = Usage(u.get("prompt_tokens", 0), u.get("completion_tokens", 0), reported=True)
                for choice in chunk.get("choices") or []:
                    delta = (choice.get("delta") or {}).get("content") or ""
                    if delta:
                        yield StreamEvent(delta=delta, model=model)
                    if choice.get("finish_reason"):
                        finish = choice["finish_reason"]
        except httpx.TimeoutException as error:
            raise ProviderTimeout(f"the LLM stream stalled: {error}") from error
        except httpx.HTTPError as error:
            raise ProviderError(f"the LLM stream broke off: {error}") from error
        finally:
            response.close()
        if not completed and finish is None:
            raise ProviderError("the LLM stream ended before the answer was complete")
        yield StreamEvent(done=True, model=model, usage=usage, finish_reason=finish)

    def list_models(self) -> list[str]:
        response = self._request("GET", "/models", None, stream=False)
        try:
            return [m["id"] for m in response.json().get("data", [])]
        finally:
            response.close()

    # Transport ---------------------------------------------------------------------------------
    def _send(
        self, messages: list[Message], *, stream: bool, max_tokens: int | None, temperature: float | None
    ) -> httpx.Response:
        body = {
            "messages": messages,
            "temperature": self.temperature if temperature is None else temperature,
            "max_tokens": max_tokens or self.max_tokens,
            "stream": stream,
        }
        if stream:
            body["stream_options"] = {"include_usage": True}
        models = [self.model] + (
            [self.fallback_model] if self.fallback_model and self.fallback_model != self.model else []
        )
        last_error: ProviderError | None = None
        for model in models:
            try:
                return self._request("POST", "/chat/completions", {**body, "model": model}, stream=stream)
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

    def _request(self, method: str, path: str, body: dict[str, Any] | None, *, stream: bool) -> httpx.Response:
        attempt = 0
        keys_tried: set[int] = set()
        while True:
            key = self._keys[self._key_index]
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            retry_after: float | None = None
            try:
                request = self._client.build_request(method, self.base_url + path, json=body, headers=headers)
                response = self._client.send(request, stream=stream)
            except httpx.TimeoutException as error:
                failure: ProviderError = ProviderTimeout(f"the LLM at {self.base_url} did not answer in time")
                cause: Exception = error
            except httpx.HTTPError as error:
                failure, cause = ProviderError(f"the LLM at {self.base_url} is unreachable: {error}"), error
            else:
                if response.status_code < 400:
                    return response
                detail = _error_detail(response)
                status = response.status_code
                retry_after = _retry_after(response)
                response.close()
                if status in (401, 403) or status == 429:
                    keys_tried.add(self._key_index)
                    if len(self._keys) > 1 and len(keys_tried) < len(self._keys):
                        self._key_index = (self._key_index + 1) % len(self._keys)
                        log.warning(
                            "LLM key refused or limited; failing over to the next key", extra={"status": status}
                        )
                        continue
                if status in (401, 403):
                    raise AuthenticationFailed(
                        f"the LLM refused the API key ({status}): {detail}. Check KNOWBASE_LLM_API_KEYS"
                    )
                if status in (400, 404, 422):
                    raise BadRequest(f"the LLM rejected the request ({status}): {detail}")
                failure = (ProviderRateLimited if status == 429 else ProviderError)(
                    f"the LLM answered {status}: {detail}"
                )
                cause = failure
            if attempt >= self._max_retries:
                raise failure from cause
            delay = retry_after if retry_after is not None else min(self._max_backoff_s, self._backoff_s * 2**attempt)
            delay = delay + random.uniform(0, delay * 0.25)  # jitter: spread retries of many clients
            log.warning(
                "LLM request failed; retrying",
                extra={"attempt": attempt + 1, "delay_s": round(delay, 2), "error": failure.message},
            )
            self._sleep(delay)
            attempt += 1


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), 120.0)
    except ValueError:
        return None


def _error_detail(response: httpx.Response) -> str:
    try:
        response.read()
        body = response.json()
        error = body.get("error", body)
        return str(error.get("message", error) if isinstance(error, dict) else error)[:300]
    except (ValueError, httpx.HTTPError):
        return response.text[:300] if hasattr(response, "text") else ""
