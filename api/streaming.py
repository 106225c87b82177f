"""Streaming responses for chat turns that always end cleanly.

Starlette stops iterating when the client disconnects but leaves a synchronous iterator open. This
response closes it, in a worker thread and shielded from cancellation, once the response is over
for whatever reason: the turn's generator then stops the LLM and charges the tokens used so far.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import anyio
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send


class ClosingStreamingResponse(StreamingResponse):
    def __init__(self, content: Generator[str, None, None], on_close: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._content, self._on_close = content, on_close

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Starlette's thread iterator waits for a running next() before it lets cancellation
            # through, so the generator is idle here and may be closed.
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(self._close)

    def _close(self) -> None:
        try:
            self._content.close()
        finally:
            self._on_close()
