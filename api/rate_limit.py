"""Per-key rate limits on ``/v1``: counted before the request runs, reported on every response of a
limited key with OpenAI's headers, refused over the limit with 429 and ``Retry-After``.

Tokens are estimated from the request body, as OpenAI does before a request runs: the tiktoken
count of a JSON body (uploads count 0). Keys without limits (their own, or the server's defaults
``KNOWBASE_RATE_LIMIT_REQUESTS_PER_MINUTE`` / ``…_TOKENS_PER_MINUTE``) are not counted and get no
headers.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from core.metadata.db import Database
from core.metadata.rate_limits import KeyLimits, RateDecision, consume, format_reset, limits_of_key
from core.tokens import count_tokens

log = logging.getLogger(__name__)
PREFIX = "/v1/"


class RateLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        database: Callable[[], Database],
        default_requests_per_minute: int | None = None,
        default_tokens_per_minute: int | None = None,
    ) -> None:
        self.app = app
        self._database = database
        self._defaults = (default_requests_per_minute, default_tokens_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            await self.app(scope, receive, send)  # cookie sessions (the pages) and anonymous calls
            return
        limits = await run_in_threadpool(self._limits, token.strip())
        if limits is None or not limits.limited:
            await self.app(scope, receive, send)  # no limits, or a key authentication will refuse
            return
        tokens = 0
        if limits.tokens_per_minute is not None and headers.get("content-type", "").startswith("application/json"):
            body, receive = await _buffered(receive)
            tokens = await run_in_threadpool(count_tokens, body.decode("utf-8", "replace"))
        decision = await run_in_threadpool(self._consume, limits, tokens)
        limit_headers = _headers(decision)
        if not decision.allowed:
            retry_after = str(max(1, math.ceil(decision.reset_s)))
            what = "requests" if decision.remaining_requests == 0 else "tokens"
            message = f"Rate limit reached on {what} per minute for this key: please try again in {format_reset(decision.reset_s)}."
            details = {"limit": what, "retry_after_s": int(retry_after)}
            response = error_response(
                429, "rate_limit_exceeded", message, details, {**limit_headers, "Retry-After": retry_after}
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).update(limit_headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _limits(self, key: str) -> KeyLimits | None:
        with self._database().session() as session:
            return limits_of_key(session, key, *self._defaults)

    def _consume(self, limits: KeyLimits, tokens: int) -> RateDecision:
        with self._database().session() as session:
            decision = consume(session, limits, tokens)
            if not decision.allowed:
                session.rollback()  # a refused request does not use up the window
            return decision


async def _buffered(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body (already bounded by the body-limit middleware outside this one), and
    a ``receive`` that hands it to the app again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return body, replay


def _headers(decision: RateDecision) -> dict[str, str]:
    headers: dict[str, str] = {}
    reset = format_reset(decision.reset_s)
    if decision.limits.requests_per_minute is not None:
        headers["x-ratelimit-limit-requests"] = str(decision.limits.requests_per_minute)
        headers["x-ratelimit-remaining-requests"] = str(decision.remaining_requests)
        headers["x-ratelimit-reset-requests"] = reset
    if decision.limits.tokens_per_minute is not None:
        headers["x-ratelimit-limit-tokens"] = str(decision.limits.tokens_per_minute)
        headers["x-ratelimit-remaining-tokens"] = str(decision.remaining_tokens)
        headers["x-ratelimit-reset-tokens"] = reset
    return headers
