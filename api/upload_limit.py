"""Bound every request body before it is read. On the upload route the caller is authenticated
first (an anonymous 100 MB upload gets 401 without a byte read) and the limit is
KNOWBASE_MAX_UPLOAD_MB; every other body (JSON, forms) gets a fixed cap. Oversized bodies get 413 —
by Content-Length when given, and by counting bytes as they arrive otherwise (chunked transfer)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from core.errors import KnowbaseError, PayloadTooLarge, Unauthorized

FORM_OVERHEAD_BYTES = 1024 * 1024  # multipart boundaries and the small text fields
# Above the largest valid JSON body (100 completion messages of 32,000 characters of 4-byte UTF-8).
OTHER_BODY_MAX_BYTES = 16 * 1024 * 1024
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the upload is larger than the limit of {limit / 1024 / 1024:.0f} MiB (KNOWBASE_MAX_UPLOAD_MB)",
        details={"limit_bytes": limit},
    )


def body_too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the request body is larger than the limit of {limit / 1024 / 1024:.0f} MiB", details={"limit_bytes": limit}
    )


async def _refuse(error: KnowbaseError, scope: Scope, receive: Receive, send: Send) -> None:
    # The unread body stays on the connection: close it rather than parse what nobody wants.
    headers = {"connection": "close"}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    response = error_response(error.status_code, error.code, error.message, error.details, headers)
    await response(scope, receive, send)


class BodyLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        upload_limit_bytes: Callable[[], int],
        upload_paths: tuple[str, ...],
        authenticate: Callable[[Request], object] | None = None,
        other_limit_bytes: int = OTHER_BODY_MAX_BYTES,
    ) -> None:
        self.app = app
        self._upload_limit = upload_limit_bytes
        self._upload_paths = upload_paths
        self._authenticate = authenticate  # raises Unauthorized / PermissionDenied
        self._other_limit = other_limit_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"] in self._upload_paths:
            if self._authenticate is not None:
                try:
                    await run_in_threadpool(self._authenticate, Request(scope))
                except KnowbaseError as error:
                    await _refuse(error, scope, receive, send)
                    return
            limit = self._upload_limit()
            await self._bounded(scope, receive, send, limit + FORM_OVERHEAD_BYTES, too_large(limit))
        else:
            await self._bounded(scope, receive, send, self._other_limit, body_too_large(self._other_limit))

    async def _bounded(self, scope: Scope, receive: Receive, send: Send, allowed: int, error: PayloadTooLarge) -> None:
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > allowed:
            await _refuse(error, scope, receive, send)
            return
        received = 0
        exceeded = started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    exceeded = True
                    raise error
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI turns any error while reading the body into a bare 400; ours replaces it.
            nonlocal started
            if exceeded and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except PayloadTooLarge:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(error, scope, receive, send)
