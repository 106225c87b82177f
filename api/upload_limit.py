"""Guard the upload route before its body is read: the caller is authenticated first (an anonymous
100 MB upload gets 401 without a byte read), then oversized uploads get 413 — by Content-Length
when given, and by counting bytes as they arrive otherwise (chunked uploads)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from core.errors import KnowbaseError, PayloadTooLarge, Unauthorized

FORM_OVERHEAD_BYTES = 1024 * 1024  # multipart boundaries and the small text fields


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the upload is larger than the limit of {limit / 1024 / 1024:.0f} MiB (KNOWBASE_MAX_UPLOAD_MB)",
        details={"limit_bytes": limit},
    )


async def _refuse(error: KnowbaseError, scope: Scope, receive: Receive, send: Send) -> None:
    # The unread body stays on the connection: close it rather than parse what nobody wants.
    headers = {"connection": "close"}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = "Bearer"
    response = error_response(error.status_code, error.code, error.message, error.details, headers)
    await response(scope, receive, send)


class UploadLimitMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limit_bytes: Callable[[], int],
        paths: tuple[str, ...],
        authenticate: Callable[[Request], object] | None = None,
    ) -> None:
        self.app = app
        self._limit = limit_bytes
        self._paths = paths
        self._authenticate = authenticate  # raises Unauthorized / PermissionDenied

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self._paths:
            await self.app(scope, receive, send)
            return
        if self._authenticate is not None:
            try:
                await run_in_threadpool(self._authenticate, Request(scope))
            except KnowbaseError as error:
                await _refuse(error, scope, receive, send)
                return
        limit = self._limit()
        allowed = limit + FORM_OVERHEAD_BYTES
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > allowed:
            await _refuse(too_large(limit), scope, receive, send)
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
                    raise too_large(limit)
            return message

        async def guarded_send(message: Message) -> None:
            # FastAPI turns any error while parsing the form into a bare 400; ours replaces it.
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
            await _refuse(too_large(limit), scope, receive, send)
