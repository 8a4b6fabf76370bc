"""Soak ``huiqi serve`` (N workers, PostgreSQL) with a mix of real traffic from several clients.

usage: python bench/soak.py [--seconds 600] [--clients 6] [--workers 2] [--db URL]
                            [--rate-limit 1000000/minute] [--registry 300] [--seed 1]

Starts ``huiqi serve --workers N`` as a real process tree on loopback against PostgreSQL (a
throwaway database on the local server unless ``--db`` is given), seeds staff accounts and a
small registry, then runs client processes for the given time. Each client draws, with fixed
weights, one of:

- ``evaluate``: ``POST /api/v1/evaluate`` with a synthetic enterprise (``huiqi synth``'s generator);
- ``form``: ``POST /check``, the self-check form's submit;
- ``lookup``: a measure or the unit list from the API, or a catalogue page;
- ``console``: a staff visit: login page, login, registry lookup (page and JSON), logout.

The rate limits stay on (so their cost is in the figures) but set high enough never to refuse a
request: every client comes from 127.0.0.1, and a public limit meant for one visitor would
otherwise turn the soak into a test of the limiter (``--rate-limit`` changes it).

Prints requests/s, p50/p99 overall and per kind, errors by status (any answer other than the
expected 200/303 is an error), and the RSS of each worker after warm-up and at the end, with
samples in between. Exit status 1 when there was any error.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.form_questions import OTHER  # noqa: E402
from tests.ops.served import Served, serving  # noqa: E402 - the same launcher the tests use

PASSWORD = "soak password 1"
WEIGHTS = {"evaluate": 40, "form": 25, "lookup": 25, "console": 10}
ADMIN_URL = os.environ.get("HUIQI_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def throwaway_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"huiqi_soak_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def seed(url: str, clients: int, registry: int, seed_value: int) -> list[dict[str, Any]]:
    """Staff ``soak0…`` (one per client) and ``registry`` enterprises; the profiles, for the clients."""
    from sqlalchemy import insert

    from batch.synth import profiles
    from store import console
    from store.db import open_database
    from store.models import RegistryEnterprise

    engine = open_database(url)
    for n in range(clients):
        console.add_staff(engine, f"soak{n}", PASSWORD)
    enterprises = [p for p in profiles(registry * 2, seed_value) if valid(p)][:registry]  # synth also makes bad rows
    with engine.begin() as conn:
        conn.execute(insert(RegistryEnterprise), [
            {"credit_code": p["credit_code"], "name": p.get("name"), "district": p.get("district"), "profile": p,
             "source": f"soak:{i}", "run_id": "soak"} for i, p in enumerate(enterprises)])
    engine.dispose()
    return enterprises


def valid(profile: dict[str, Any]) -> bool:
    from engine import ProfileError, parse_profile

    try:
        parse_profile(profile)
    except ProfileError:
        return False
    return True


def form_of(profile: dict[str, Any]) -> dict[str, str]:
    """The self-check form's basic answers for a synthetic enterprise (money in 万元, as the form asks)."""
    form = {"entity_type": profile.get("entity_type", ""), "district": profile.get("district", ""),
            "founded_on": profile.get("founded_on", ""), "employees": str(profile.get("employees", ""))}
    for field in ("revenue_yuan", "total_assets_yuan"):
        if profile.get(field) is not None:
            form[field] = str(Decimal(str(profile[field])) / 10_000)
    form["industry_code"] = OTHER
    form["industry_code.other"] = profile.get("industry_code", "")
    return {k: v for k, v in form.items() if v not in ("", "None")}


def console_visit(base: str, number: int, code: str, record: Any) -> None:
    with httpx.Client(base_url=base, timeout=30) as staff:
        page = record("console", staff.get, "/console/login")
        token = re.search(r'name="token" value="([^"]+)"', page.text) if page is not None else None
        if token is None:
            return
        record("console", staff.post, "/console/login",
               data={"name": f"soak{number}", "password": PASSWORD, "token": token.group(1)}, expect=(303,))
        record("console", staff.get, f"/console/lookup?q={code}", expect=(303,))
        record("console", staff.get, f"/api/v1/console/registry/{code}")
        home = record("console", staff.get, "/console")
        csrf = re.search(r'name="csrf" value="([^"]+)"', home.text) if home is not None else None
        if csrf is not None:
            record("console", staff.post, "/console/logout", data={"csrf": csrf.group(1)}, expect=(303,))


def client(base: str, number: int, enterprises: list[dict[str, Any]], until: float, seed_value: int,
           out: Any) -> None:
    rng = random.Random(seed_value * 1000 + number)
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    kinds, weights = list(WEIGHTS), list(WEIGHTS.values())

    def record(kind: str, call: Any, path: str, expect: tuple[int, ...] = (200,), **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            response = call(path, **kwargs)
        except httpx.HTTPError as exc:
            statuses[(kind, -1)] += 1
            print(f"client {number}: {kind} {path}: {exc.__class__.__name__}", file=sys.stderr)
            return None
        latencies[kind].append(time.perf_counter() - started)
        statuses[(kind, response.status_code if response.status_code not in expect else 0)] += 1
        return response

    with httpx.Client(base_url=base, timeout=30) as http:  # one keep-alive connection for the public face
        while time.time() < until:
            kind = rng.choices(kinds, weights)[0]
            enterprise = rng.choice(enterprises)
            if kind == "evaluate":
                record(kind, http.post, "/api/v1/evaluate", json={"profile": enterprise, "as_of": "2026-01-15"})
            elif kind == "form":
                record(kind, http.post, "/check", data=form_of(enterprise))
            elif kind == "lookup":
                measure = f"M{rng.randint(1, 50)}"
                path = rng.choice([f"/api/v1/measures/{measure}", f"/catalogue/{measure}", "/api/v1/units"])
                record(kind, http.get, path)
            else:
                console_visit(base, number, enterprise["credit_code"], record)
    out.put((dict(latencies), dict(statuses)))


def rss_of(served: Served) -> dict[int, int]:
    return {worker.pid: worker.memory_info().rss for worker in served.workers()}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def run(args: argparse.Namespace, url: str, workdir: Path) -> int:
    enterprises = seed(url, args.clients, args.registry, args.seed)
    env = {"HUIQI_RATE_LIMIT": args.rate_limit, "HUIQI_LOGIN_RATE_LIMIT": args.rate_limit}
    with serving(url, workdir, workers=args.workers, **env) as served:
        warm_until = time.time() + args.warmup
        context = mp.get_context("spawn")
        queue = context.Queue()
        warm = [context.Process(target=client, args=(served.base, n, enterprises, warm_until, args.seed, queue))
                for n in range(args.clients)]
        for process in warm:
            process.start()
        for _ in warm:
            queue.get()
        for process in warm:
            process.join()
        start_rss = rss_of(served)
        samples: list[tuple[float, dict[int, int]]] = []
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(args.sample_every):
                samples.append((time.time() - started, rss_of(served)))

        until = time.time() + args.seconds
        started = time.time()
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        processes = [context.Process(target=client, args=(served.base, n, enterprises, until, args.seed, queue))
                     for n in range(args.clients)]
        for process in processes:
            process.start()
        results = [queue.get() for _ in processes]
        elapsed = time.time() - started
        for process in processes:
            process.join()
        stop.set()
        end_rss = rss_of(served)
        workers = served.workers()
        parent_rss = psutil.Process(served.process.pid).memory_info().rss
    latencies: dict[str, list[float]] = defaultdict(list)
    statuses: Counter[tuple[str, int]] = Counter()
    for lat, stat in results:
        for kind, values in lat.items():
            latencies[kind].extend(values)
        statuses.update(stat)
    every = [v for values in latencies.values() for v in values]
    errors = {f"{kind} {status if status != -1 else 'connection error'}": count
              for (kind, status), count in sorted(statuses.items()) if status != 0}
    mib = 1024 * 1024
    print(f"soak: {args.seconds:g} s, {args.clients} clients, huiqi serve --workers {args.workers} on PostgreSQL, "
          f"rate limit {args.rate_limit}, cpus={os.cpu_count()}, warm-up {args.warmup:g} s")
    print(f"requests: {len(every):,}  throughput: {len(every) / elapsed:,.1f} req/s  "
          f"p50 {percentile(every, 50) * 1000:.2f} ms  p99 {percentile(every, 99) * 1000:.2f} ms")
    for kind in WEIGHTS:
        values = latencies.get(kind, [])
        print(f"  {kind:9s} {len(values):8,d} requests  p50 {percentile(values, 50) * 1000:7.2f} ms  "
              f"p99 {percentile(values, 99) * 1000:7.2f} ms")
    print(f"errors: {sum(errors.values())} {json.dumps(errors, ensure_ascii=False) if errors else ''}")
    print(f"RSS of the parent (process manager): {parent_rss / mib:.1f} MiB")
    for worker in workers:
        first, last = start_rss.get(worker.pid), end_rss.get(worker.pid)
        if first is None or last is None:
            print(f"  worker {worker.pid}: restarted during the soak (start RSS unknown)")
            continue
        print(f"  worker {worker.pid}: RSS {first / mib:.1f} MiB after warm-up -> {last / mib:.1f} MiB at the end "
              f"({(last - first) / first * 100:+.1f}%)")
    if samples:
        series = "  ".join(f"{t:.0f}s:" + "/".join(f"{v / mib:.0f}" for v in rss.values()) for t, rss in samples)
        print(f"  RSS samples (MiB per worker): {series}")
    return 1 if errors else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--warmup", type=float, default=30.0, help="seconds of the same mix before RSS is first read")
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="PostgreSQL URL (default: a throwaway database on the local server)")
    parser.add_argument("--rate-limit", default="1000000/minute", help="HUIQI_RATE_LIMIT and HUIQI_LOGIN_RATE_LIMIT")
    parser.add_argument("--registry", type=int, default=300, help="synthetic enterprises in the registry")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample-every", type=float, default=30.0, help="seconds between RSS samples")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory(prefix="huiqi-soak-") as workdir:
        if args.db:
            return run(args, args.db, Path(workdir))
        databases = throwaway_database()
        url = next(databases)
        try:
            return run(args, url, Path(workdir))
        finally:
            databases.close()


if __name__ == "__main__":
    raise SystemExit(main())
