"""Browser-hardening headers on every response, pages and API alike (pure ASGI, streams untouched).

The pages load scripts and styles only from /static and keep their data in a JSON block, so the
policy needs no 'unsafe-inline'. FastAPI's /docs and /redoc pull Swagger UI and ReDoc from a CDN
with an inline bootstrap script; they get the framing and sniffing headers but not the CSP.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_ALWAYS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_CSP = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())
# For the last-resort 500 handler, which Starlette runs outside every middleware.
SECURITY_HEADERS = {name.decode(): value.decode() for name, value in [*_ALWAYS, _CSP]}
_CDN_PAGES = ("/docs", "/redoc")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = _ALWAYS if scope["path"].startswith(_CDN_PAGES) else [*_ALWAYS, _CSP]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in added if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
