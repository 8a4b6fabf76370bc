"""Benchmark ``POST /api/v1/evaluate`` over real HTTP: a uvicorn server on loopback, driven by client processes.

usage: python bench/api_bench.py [--seconds 10] [--clients 4] [--profile examples/small-manufacturer.json]

The server is one uvicorn process (as ``huiqi serve`` runs it); each client process keeps one
HTTP/1.1 keep-alive connection (httpx) and posts the profile back to back for the given time.
Prints requests/s and p50/p90/p99 latency.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--no-access-log"]
    # one client address sends everything: the public rate limit (60/minute by default) would refuse it
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HUIQI_RATE_LIMIT": "off", "HUIQI_ACCESS_LOG": "0"}
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("服务器未能启动 / server did not start")


def client(url: str, body: bytes, seconds: float, out: mp.Queue) -> None:
    latencies: list[float] = []
    errors = 0
    headers = {"content-type": "application/json"}
    with httpx.Client(timeout=30, headers=headers) as http:  # one keep-alive connection
        end = time.perf_counter() + seconds
        while (start := time.perf_counter()) < end:
            response = http.post(url, content=body)
            latencies.append(time.perf_counter() - start)
            if response.status_code != 200:
                errors += 1
    out.put((latencies, errors))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--profile", type=Path, default=ROOT / "examples" / "small-manufacturer.json")
    args = parser.parse_args()
    body = json.dumps({"profile": json.loads(args.profile.read_text(encoding="utf-8")), "as_of": "2026-01-15"},
                      ensure_ascii=False).encode()
    port = free_port()
    server = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/evaluate"
        httpx.post(url, content=body, headers={"content-type": "application/json"}).raise_for_status()  # warm-up
        queue: mp.Queue = mp.Queue()
        workers = [mp.Process(target=client, args=(url, body, args.seconds, queue)) for _ in range(args.clients)]
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        results = [queue.get() for _ in workers]
        elapsed = time.perf_counter() - started
        for worker in workers:
            worker.join()
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies = [t for lat, _ in results for t in lat]
    errors = sum(e for _, e in results)
    print(f"POST /api/v1/evaluate  profile={args.profile.name}  clients={args.clients}  "
          f"duration={args.seconds:g}s  server=1 uvicorn process  cpus={os.cpu_count()}")
    print(f"requests: {len(latencies)}  errors: {errors}  throughput: {len(latencies) / elapsed:,.1f} req/s")
    print(f"latency ms: p50 {percentile(latencies, 50) * 1000:.2f}  p90 {percentile(latencies, 90) * 1000:.2f}  "
          f"p99 {percentile(latencies, 99) * 1000:.2f}  mean {statistics.fmean(latencies) * 1000:.2f}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
