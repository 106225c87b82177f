"""The official ``openai`` SDK client, shared by every OpenAI-compatible adapter (chat, embeddings,
moderations): the SDK's transport, retries, streaming and error types, with our backoff."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import httpx
import openai

log = logging.getLogger(__name__)


def _never() -> bool:
    return False


class SDKClient(openai.OpenAI):
    """The SDK client with our backoff (exponential, +25 % jitter, ``Retry-After`` honoured up to 120 s),
    an injectable sleep for tests, and no retry of a refused/limited key while another key is left."""

    def __init__(
        self,
        *,
        backoff_s: float,
        max_backoff_s: float,
        sleep: Callable[[float], None] = time.sleep,
        can_fail_over: Callable[[], bool] = _never,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self._backoff_s, self._max_backoff_s, self._sleep = backoff_s, max_backoff_s, sleep
        self._can_fail_over = can_fail_over

    def _should_retry(self, response: httpx.Response) -> bool:
        if response.status_code in (401, 403, 429) and self._can_fail_over():
            return False
        return bool(super()._should_retry(response))

    def _sleep_for_retry(
        self, *, retries_taken: int, max_retries: int, options: Any, response: httpx.Response | None
    ) -> None:
        retry_after = _retry_after(response.headers) if response is not None else None
        delay = retry_after if retry_after is not None else min(self._max_backoff_s, self._backoff_s * 2**retries_taken)
        delay = delay + random.uniform(0, delay * 0.25)  # jitter: spread retries of many clients
        log.warning(
            "provider request failed; retrying", extra={"attempt": retries_taken + 1, "delay_s": round(delay, 2)}
        )
        self._sleep(delay)


def _retry_after(headers: httpx.Headers) -> float | None:
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return min(max(float(value), 0.0), 120.0)
    except ValueError:
        return None


def error_detail(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        return str(inner.get("message", inner) if isinstance(inner, dict) else inner)[:300]
    try:
        return error.response.text[:300]
    except httpx.HTTPError:
        return str(error)[:300]
