"""Refuse oversized uploads with 413 before reading them: by Content-Length when given, and by
counting bytes as they arrive otherwise (chunked uploads)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from core.errors import PayloadTooLarge

FORM_OVERHEAD_BYTES = 1024 * 1024  # multipart boundaries and the small text fields


def too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the upload is larger than the limit of {limit / 1024 / 1024:.0f} MiB (KNOWBASE_MAX_UPLOAD_MB)",
        details={"limit_bytes": limit},
    )


class UploadLimitMiddleware:
    def __init__(self, app: ASGIApp, limit_bytes: Callable[[], int], paths: tuple[str, ...]) -> None:
        self.app = app
        self._limit = limit_bytes
        self._paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] not in self._paths:
            await self.app(scope, receive, send)
            return
        limit = self._limit()
        allowed = limit + FORM_OVERHEAD_BYTES
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > allowed:
            error = too_large(limit)
            response = error_response(413, error.code, error.message, error.details, {"connection": "close"})
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > allowed:
                    raise too_large(limit)
            return message

        await self.app(scope, counting_receive, send)
