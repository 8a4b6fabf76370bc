"""What the service's middleware costs per request, in one process (api/app.py's stack, outermost first).

usage: python bench/middleware_bench.py [--n 20000] [--repeat 3]

Calls the ASGI stack directly with a trivial inner app (no HTTP, no routing), so the figures are
the middleware alone: the shared SQLite rate-limit store (a temporary file, as the workers share
one), then security headers + request id + metrics + rate limit, with and without the access log
line (no handler attached: the cost of building the record). Prints the median µs per request.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api.observe import RequestContext  # noqa: E402
from api.rate_limit import RateLimit, Store  # noqa: E402
from api.security_headers import SecurityHeaders  # noqa: E402
from api.settings import Rate  # noqa: E402


async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def send(_message: dict[str, Any]) -> None:
    return None


def scope() -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": "/api/v1/evaluate", "headers": [], "client": ("127.0.0.1", 1)}


async def per_request(app: Any, n: int) -> float:
    for _ in range(500):
        await app(scope(), receive, send)
    started = time.perf_counter()
    for _ in range(n):
        await app(scope(), receive, send)
    return (time.perf_counter() - started) / n * 1e6


async def main(n: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        limited = RateLimit(inner, Store(f"{directory}/ratelimit.sqlite3"), {"public": Rate(10**9, 60)}, None)
        stacks = {
            "bare ASGI app": inner,
            "rate limit (shared SQLite file)": limited,
            "headers + request id + metrics + rate limit": SecurityHeaders(RequestContext(limited, access_log=False)),
            "the same + access log record": SecurityHeaders(RequestContext(limited, access_log=True)),
        }
        for name, app in stacks.items():
            runs = [await per_request(app, n) for _ in range(repeat)]
            print(f"{name:46s} {statistics.median(runs):8.1f} µs/request (median of {repeat} × {n:,})")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.n, arguments.repeat))
