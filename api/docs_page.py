"""``/docs``: FastAPI's Swagger UI page, with a Content-Security-Policy of its own.

Swagger UI loads its script and stylesheet from a CDN and starts from one inline script.
Instead of allowing inline script, the policy of this page names the hash of that very
script, computed from the HTML it sends, so the policy and the page cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.security_headers import CSP

CDN = "https://cdn.jsdelivr.net"
FAVICON_HOST = "https://fastapi.tiangolo.com"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def script_hashes(html: str) -> list[str]:
    return ["'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in _INLINE_SCRIPT.findall(html)]


def policy_for(html: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in CSP.split(";"))
    directives["script-src"] = " ".join(["'self'", CDN, *script_hashes(html)])
    directives["style-src"] = f"'self' {CDN} 'unsafe-inline'"  # Swagger UI sets style attributes
    directives["img-src"] = f"'self' data: {FAVICON_HOST}"
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def install(app: FastAPI, path: str = "/docs") -> None:
    @app.get(path, include_in_schema=False)
    def docs() -> HTMLResponse:
        page = get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} - Swagger UI")
        html = page.body.decode()
        return HTMLResponse(html, headers={"Content-Security-Policy": policy_for(html)})
