"""Security headers on every response: pages, API, errors, static files (issue 11, point 9).

The Content-Security-Policy allows scripts and styles from this site only: no inline script,
no inline handler, no inline style (the few buttons that need JavaScript are wired up by
``forms/static/huiqi.js``). A response that brings its own policy keeps it: the API docs page
(``api/docs_page.py``) adds the CDN of Swagger UI and the hash of its one inline script.
"""

from __future__ import annotations

from typing import Any

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # a result link carries the answers in its query string
)


class SecurityHeaders:
    """Pure ASGI middleware, outermost, so even a 413, a 429 or a 500 carries the headers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
