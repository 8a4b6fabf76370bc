"""Benchmark ``POST /api/v1/evaluate`` over real HTTP against a trivial JSON endpoint of the same app.

usage: python bench/api_bench.py [--seconds 10] [--clients 8] [--workers N] [--rounds 2]
                                 [--profile examples/small-manufacturer.json]
       python bench/api_bench.py --in-process [--n 1000] [--rounds 5]

Starts ``huiqi serve --workers N`` (default: one per core, as ``huiqi serve`` does) on loopback,
as the tests start it (tests/ops/served.py: SQLite in a temporary directory, rate limit off,
access log off). Each round starts ``--clients`` client processes; each keeps one HTTP/1.1 keep-alive
connection (the standard library's ``http.client``: the lightest client, so the figures are the
server's more than the clients') and sends requests back to back, for ``--seconds`` each, first
to the trivial endpoint (``GET /api/v1/health``: the same middleware, routing and JSON response,
no engine) and then, on the same connections, to ``POST /api/v1/evaluate``. The ratio of their
requests/s is taken per round, in the same run, so a machine busy with other work shifts both
alike, and on the same connections: how the kernel spread them over the workers (printed; it
varies from round to round, 4 + 4 or 8 + 0) weighs on both alike. Prints requests/s and
p50/p90/p99 latency of each endpoint (all rounds together), the server's CPU time per request
(its worker processes' user + system time over the phase: the rest of the machine's time went to
the clients and the kernel's loopback), the median ratio, and the targets of issue 14:
evaluate ≥ 0.6 × the trivial endpoint's requests/s, p99 ≤ 20 ms.

``--in-process`` measures the server's own CPU time per request instead, free of the network, the
clients and whatever else the machine runs: the app ``huiqi serve`` builds (same settings, metrics
in multiprocess mode), called directly as ASGI, ``--n`` requests per endpoint and round, the two
endpoints alternating; CPU time of the process (every thread: a ``def`` route runs in the
threadpool). Prints the median of the rounds per endpoint and their ratio, and the evaluation's own
steps run alone on the same body (strict validation, then + the engine, then + the Result's JSON):
what is left of the request is the framework's and the middleware's.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.cli_serve import default_workers  # noqa: E402
from tests.ops.served import serving  # noqa: E402 - the same launcher the tests use

TRIVIAL = ("GET", "/api/v1/health")
EVALUATE = ("POST", "/api/v1/evaluate")
TARGET_RATIO = 0.6
TARGET_P99_MS = 20.0


Endpoint = tuple[str, str, bytes]  # method, path, body


def client(port: int, endpoints: list[Endpoint], seconds: float, barrier: Any, out: Any) -> None:
    """One keep-alive connection, kept for every endpoint in turn: each starts when all clients are ready."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.connect()
    for method, path, body in endpoints:
        latencies: list[float] = []
        errors = 0
        headers = {"content-type": "application/json"} if body else {}
        barrier.wait()
        end = time.perf_counter() + seconds
        while (start := time.perf_counter()) < end:
            connection.request(method, path, body=body or None, headers=headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != 200:
                errors += 1
        out.put((latencies, errors))
    connection.close()


@dataclass
class Phase:
    """What the clients measured on one endpoint over all rounds."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    per_round: list[float] = field(default_factory=list)  # requests/s of each round
    server_cpu: float = 0.0  # CPU seconds the server's workers spent during the phase (all rounds)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def connections_per_worker(served: Any, port: int) -> list[int]:
    return sorted((sum(1 for c in worker.net_connections() if c.status == "ESTABLISHED" and c.laddr.port == port)
                   for worker in served.workers()), reverse=True)


def drive(served: Any, endpoints: list[Endpoint], clients: int, seconds: float, phases: list[Phase]) -> list[int]:
    """One round: fresh client processes, each with its connection, drive the endpoints in turn.

    The endpoints share the connections, so they share how the connections fell to the workers
    (the kernel hands each to whichever worker accepts first: 8 may go 4 + 4, 6 + 2, 8 + 0); the
    next round starts anew. Returns that split.
    """
    port = int(served.base.rsplit(":", 1)[1])
    context = mp.get_context("fork")
    queue, barrier = context.Queue(), context.Barrier(clients + 1)
    workers = [context.Process(target=client, args=(port, endpoints, seconds, barrier, queue)) for _ in range(clients)]
    for worker in workers:
        worker.start()
    split: list[int] = []
    for phase in phases:
        barrier.wait()  # every client connected (and done with the endpoint before)
        started, cpu = time.perf_counter(), server_cpu(served)
        results = [queue.get() for _ in workers]
        elapsed = time.perf_counter() - started
        phase.server_cpu += server_cpu(served) - cpu
        split = split or connections_per_worker(served, port)
        phase.latencies += [t for latencies, _ in results for t in latencies]
        phase.errors += sum(errors for _, errors in results)
        phase.seconds += elapsed
        phase.per_round.append(sum(len(latencies) for latencies, _ in results) / elapsed)
    for worker in workers:
        worker.join()
    return split


def server_cpu(served: Any) -> float:
    """CPU seconds (user + system) the server's workers have used so far."""
    return sum(sum(worker.cpu_times()[:2]) for worker in served.workers())


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def line(name: str, phase: Phase) -> str:
    ms = [t * 1000 for t in phase.latencies]
    return (f"{name:<24} {phase.rate:8,.1f} req/s  p50 {percentile(ms, 50):6.2f}  p90 {percentile(ms, 90):6.2f}  "
            f"p99 {percentile(ms, 99):6.2f}  mean {statistics.fmean(ms):6.2f} ms  "
            f"({len(ms)} requests, {phase.errors} errors); "
            f"server CPU {phase.server_cpu / len(ms) * 1000:.3f} ms/request")


def asgi_scope(method: str, path: str, body: bytes) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1:8000"), (b"user-agent", b"Python-urllib/3"), (b"accept-encoding", b"identity")]
    if body:
        headers += [(b"content-length", str(len(body)).encode()), (b"content-type", b"application/json")]
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
            "method": method, "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": headers, "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8000),
            "state": {}}


async def asgi_call(app: Any, method: str, path: str, body: bytes) -> int:
    """One request straight into the ASGI app (as uvicorn hands it over); the status."""
    messages: list[dict[str, Any]] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:
            return {"type": "http.disconnect"}
        received = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(asgi_scope(method, path, body), receive, send)
    return int(messages[0]["status"])


async def cpu_per_request(app: Any, method: str, path: str, body: bytes, n: int) -> float:
    started = time.process_time()
    for _ in range(n):
        if await asgi_call(app, method, path, body) != 200:
            raise RuntimeError(f"{method} {path} did not answer 200")
    return (time.process_time() - started) / n * 1000


def in_process(body: bytes, n: int, rounds: int) -> int:
    """Server CPU ms per request of each endpoint, the app called directly (no HTTP, no clients)."""
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(f"{tmp}/metrics")
        # as huiqi serve --workers N sets up each worker (and as the HTTP run above: no rate limit, no access log)
        os.environ.update(HUIQI_DB=f"sqlite:///{tmp}/bench.sqlite3", HUIQI_RUN_DIR=tmp, HUIQI_RATE_LIMIT="off",
                          HUIQI_ACCESS_LOG="0", PROMETHEUS_MULTIPROC_DIR=f"{tmp}/metrics")
        from api.app import create_app

        app = create_app()

        from api.routes_api import EvaluateRequest
        from engine import evaluate as engine_evaluate
        from engine.result import result_json

        def validated() -> Any:
            return EvaluateRequest.model_validate_json(body, strict=True)

        def evaluated() -> Any:
            request = validated()
            return engine_evaluate(request.profile, request.as_of)

        parts = {  # the evaluation's own steps alone, each a fresh request as the route has it, cumulated
            "strict validation of the body": validated,
            "+ engine evaluate()": evaluated,
            "+ Result -> JSON bytes": lambda: result_json(evaluated()),  # as the route writes it
        }

        async def run() -> dict[str, list[float]]:
            for endpoint, payload in ((TRIVIAL, b""), (EVALUATE, body)):
                await cpu_per_request(app, *endpoint, payload, max(50, n // 10))  # warm up
            times: dict[str, list[float]] = {}
            for _ in range(rounds):
                times.setdefault(" ".join(TRIVIAL), []).append(await cpu_per_request(app, *TRIVIAL, b"", n))
                times.setdefault(" ".join(EVALUATE), []).append(await cpu_per_request(app, *EVALUATE, body, n))
                for name, step in parts.items():
                    started = time.process_time()
                    for _ in range(n):
                        step()
                    times.setdefault(name, []).append((time.process_time() - started) / n * 1000)
            return times

        times = asyncio.run(run())
    medians = {name: statistics.median(values) for name, values in times.items()}
    t, e = medians[" ".join(TRIVIAL)], medians[" ".join(EVALUATE)]
    print(f"in process, server CPU per request (median of {rounds} rounds × {n}; load={os.getloadavg()[0]:.2f})")
    for name, values in times.items():
        indent = "  alone: " if name in parts else ""
        print(f"{indent + name:<38} {medians[name]:6.3f} ms   (rounds {', '.join(f'{x:.3f}' for x in values)})")
    print(f"{'  the rest (framework, middleware)':<38} {e - medians[list(parts)[-1]]:6.3f} ms")
    print(f"ratio trivial / evaluate (CPU): {t / e:.2f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per endpoint and round")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=default_workers(), help="default: one per core")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", type=Path, default=ROOT / "examples" / "small-manufacturer.json")
    parser.add_argument("--in-process", action="store_true",
                        help="server CPU per request, the app called directly (no HTTP)")
    parser.add_argument("--n", type=int, default=1000, help="--in-process: requests per endpoint and round")
    args = parser.parse_args()
    body = json.dumps({"profile": json.loads(args.profile.read_text(encoding="utf-8")), "as_of": "2026-01-15"},
                      ensure_ascii=False).encode()
    if args.in_process:
        return in_process(body, args.n, args.rounds)
    trivial, evaluate = Phase(), Phase()
    endpoints = [(*TRIVIAL, b""), (*EVALUATE, body)]
    splits = []
    env = {"HUIQI_RATE_LIMIT": "off", "HUIQI_ACCESS_LOG": "0"}  # one client address sends everything
    with tempfile.TemporaryDirectory() as tmp, serving(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp),
                                                       workers=args.workers, **env) as served:
        drive(served, endpoints, args.clients, 1.0, [Phase(), Phase()])  # warm every worker up
        for _ in range(args.rounds):
            splits.append(drive(served, endpoints, args.clients, args.seconds, [trivial, evaluate]))
    ratios = [e / t for e, t in zip(evaluate.per_round, trivial.per_round, strict=True)]
    ratio = statistics.median(ratios)
    p99 = percentile(evaluate.latencies, 99) * 1000
    print(f"huiqi serve --workers {args.workers}  clients={args.clients}  {args.rounds} rounds × {args.seconds:g} s "
          f"per endpoint  profile={args.profile.name}  cpus={os.cpu_count()}  load={os.getloadavg()[0]:.2f}")
    print(f"connections per worker, each round: {'  '.join('+'.join(map(str, split)) for split in splits)}")
    print(line(" ".join(TRIVIAL), trivial))
    print(line(" ".join(EVALUATE), evaluate))
    print(f"ratio evaluate / trivial (requests/s, median of rounds {', '.join(f'{r:.2f}' for r in ratios)}): "
          f"{ratio:.2f}")
    print(f"target ratio ≥ {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'NOT met'}; "
          f"target evaluate p99 ≤ {TARGET_P99_MS:g} ms: {'met' if p99 <= TARGET_P99_MS else 'NOT met'}")
    return 1 if trivial.errors or evaluate.errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
