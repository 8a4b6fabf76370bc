"""Per request: an id (``X-Request-ID``), one JSON access line, the request metrics, and the 500 answer.

The id is taken from the request when it looks like one (nginx sends its ``$request_id``, so the
proxy's log and ours share it), else made here; it is returned in the ``X-Request-ID`` header and
stamped on every log line written while the request is answered (``api/logs.py``).

Metrics are labelled by route *template* (``/catalogue/{measure_id}``), never the raw path, so a
scanner probing random URLs cannot blow up the number of series: unmatched paths are one label.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.requests import Request

from api import http_errors, metrics
from api.logs import REQUEST_ID

log = logging.getLogger("huiqi.access")
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
UNMATCHED = "<unmatched>"


def route_of(scope: dict[str, Any]) -> str:
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED


_SERIES: dict[tuple[str, str, str], tuple[Any, Any]] = {}


def series(route: str, method: str, status: int) -> tuple[Any, Any]:
    """The request counter and latency histogram of one route, method and status, labelled once.

    ``labels()`` takes a lock and builds the label tuple at each call: about two thirds of what
    counting a request cost. As many entries as there are series (route templates, not paths).
    """
    key = (route, method, str(status))
    found = _SERIES.get(key)
    if found is None:
        found = _SERIES[key] = (metrics.REQUESTS.labels(route=route, method=method, status=key[2]),
                                metrics.LATENCY.labels(route=route, method=method))
    return found


def request_id_of(scope: dict[str, Any]) -> str:
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _VALID_ID.fullmatch(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestContext:
    """Pure ASGI middleware (inside SecurityHeaders, outside everything else)."""

    def __init__(self, app: Any, access_log: bool = True, log_client_ip: bool = False) -> None:
        self.app = app
        self.access_log = access_log
        self.log_client_ip = log_client_ip

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        token = REQUEST_ID.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                status = message["status"]
                response_started = True
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:  # answered here so the 500 carries the id and the security headers
            if response_started:
                raise
            response = http_errors.internal_error(Request(scope), exc)
            await response(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route, method = route_of(scope), scope["method"]
            requests, latency = series(route, method, status)
            requests.inc()
            latency.observe(elapsed)
            if self.access_log:
                fields: dict[str, Any] = {"method": method, "route": route, "status": status,
                                          "duration_ms": round(elapsed * 1000, 2)}
                if self.log_client_ip and scope.get("client"):
                    fields["client"] = scope["client"][0]
                log.info("request", extra=fields)
            REQUEST_ID.reset(token)
