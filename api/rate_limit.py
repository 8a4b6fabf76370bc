"""Per-client rate limits on the public face, shared by all workers of one ``huiqi serve``.

Which requests count (``bucket_of``):

- ``public``: the self-check form and its results, the catalogue, the public JSON API, the API
  docs — everything an anonymous visitor can reach (``HUIQI_RATE_LIMIT``, default 60/minute);
- ``login``: ``POST /console/login`` alone (``HUIQI_LOGIN_RATE_LIMIT``, default 10/minute), to slow
  password guessing across many accounts from one address (each account also locks after 5 misses);
- not limited: health and readiness (probes), ``/metrics`` (allowlisted), static files, and the
  rest of the staff console (staff of one office share one address; they are logged in).

The client is the connecting address, or the forwarded one when the request came through a
trusted proxy (``HUIQI_TRUSTED_PROXIES``; uvicorn's ProxyHeadersMiddleware runs first). IPv6
clients are counted per /64, the block one subscriber gets.

Algorithm: GCRA (the generic cell rate algorithm): one timestamp per client, a burst of
``limit`` requests, then one every ``period/limit`` seconds; ``Retry-After`` is exact.

Store: a small SQLite file in the service's run directory (``HUIQI_RUN_DIR``), which every
worker of the same ``huiqi serve`` opens. With N workers a per-process counter would let a client
through N times; a shared file needs no set-up (no Redis), costs one short write per counted
request (WAL, no fsync: counters need not survive a crash) and keeps the business database out
of the hot path. Several machines behind one proxy each count on their own: limit at the proxy
then (nginx ``limit_req``; see deploy/).
"""

from __future__ import annotations

import ipaddress
import math
import os
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable
from typing import Any

from api import metrics
from api.settings import Rate

Scope = dict[str, Any]
EXEMPT_PREFIXES = ("/static/", "/console", "/api/v1/console/")
EXEMPT_PATHS = {"/api/v1/health", "/api/v1/ready", "/metrics"}
LOGIN_PATH = "/console/login"
CLEAN_EVERY = 1000  # forget clients idle past their window every this many checks


def bucket_of(method: str, path: str) -> str | None:
    if path == LOGIN_PATH and method == "POST":
        return "login"
    if path in EXEMPT_PATHS or path.startswith(EXEMPT_PREFIXES):
        return None
    return "public"


def client_key(host: str | None) -> str:
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class Store:
    """GCRA state in a SQLite file: ``tat`` is the theoretical arrival time of a client's next request."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._checks = 0
        self._conn = sqlite3.connect(path, timeout=5, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=OFF")
        self._conn.execute("CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tat REAL NOT NULL)")

    def take(self, key: str, rate: Rate, now: float | None = None) -> float:
        """Count one request; 0 when allowed, else the seconds to wait before the next one is."""
        now = time.time() if now is None else now
        interval = rate.period / rate.limit
        with self._lock:
            # one statement, so one atomic transaction across workers: the row moves on only when allowed
            allowed = self._conn.execute(
                "INSERT INTO buckets (key, tat) VALUES (:key, :now + :interval) "
                "ON CONFLICT(key) DO UPDATE SET tat = max(tat, :now) + :interval "
                "WHERE max(tat, :now) + :interval - :period <= :now RETURNING tat",
                {"key": key, "now": now, "interval": interval, "period": rate.period}).fetchone()
            if allowed is None:
                row = self._conn.execute("SELECT tat FROM buckets WHERE key = ?", (key,)).fetchone()
                return max(row[0], now) + interval - rate.period - now if row else interval
            self._checks += 1
            if self._checks % CLEAN_EVERY == 0:
                self._conn.execute("DELETE FROM buckets WHERE tat < ?", (now,))
        return 0.0


def open_store(run_dir: str | None) -> Store:
    """The run directory's store (shared by the workers), or an in-memory one for a lone process."""
    if run_dir is None:
        return Store(":memory:")
    os.makedirs(run_dir, exist_ok=True)
    return Store(os.path.join(run_dir, "ratelimit.sqlite3"))


Refuse = Callable[[Scope, Any, Any, int], Awaitable[None]]


class RateLimit:
    """Pure ASGI middleware; ``refuse(scope, receive, send, retry_after)`` answers a refused request."""

    def __init__(self, app: Any, store: Store, rates: dict[str, Rate | None], refuse: Refuse) -> None:
        self.app = app
        self.store = store
        self.rates = rates
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            bucket = bucket_of(scope["method"], scope["path"])
            rate = self.rates.get(bucket) if bucket else None
            if rate is not None:
                client = scope.get("client")
                wait = self.store.take(f"{bucket}:{client_key(client[0] if client else None)}", rate)
                if wait > 0:
                    metrics.RATE_LIMITED.labels(bucket=bucket).inc()
                    await self.refuse(scope, receive, send, max(1, math.ceil(wait)))
                    return
        await self.app(scope, receive, send)


TOO_MANY = {
    "description": "请求过于频繁（按客户端地址限流）：稍后再试，等待秒数见 Retry-After",
    "headers": {"Retry-After": {"description": "可以再次请求前需等待的秒数", "schema": {"type": "integer"}}},
    "content": {"application/json": {"schema": {"type": "array",
                                                "items": {"$ref": "#/components/schemas/ErrorItem"}}}},
}


def document_429(app: Any) -> None:
    """Every rate-limited operation of the OpenAPI schema lists its 429 answer (schemathesis checks it)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        cached = app.openapi_schema is not None
        schema = build()
        if not cached:
            from api.http_errors import ErrorItem

            schema.setdefault("components", {}).setdefault("schemas", {}).setdefault(
                "ErrorItem", ErrorItem.model_json_schema())
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    if isinstance(operation, dict) and bucket_of(method.upper(), path) is not None:
                        operation.setdefault("responses", {}).setdefault("429", TOO_MANY)
        return schema

    app.openapi = openapi
