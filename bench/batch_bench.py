"""Benchmark ``huiqi batch`` on synthetic registries, both engines in one run.

    python bench/batch_bench.py --n 100000 --workers 2
    python bench/batch_bench.py --n 1000000 --workers 2 --engines columnar rete

For each (n, workers, engine) it runs the real command in a subprocess and prints enterprises/s,
wall time, where the time went (read, validate, evaluate, collect, store, lists: worker stages are
summed over the worker processes) and peak memory of the whole process tree (the CLI plus its
worker processes), sampled with psutil every 0.2 s, cross-checked with
``resource.getrusage(RUSAGE_CHILDREN)`` (largest single process). Then, per (n, workers), the ratio
of the columnar engine's enterprises/s to the Rete engine's. Registries are generated once per
(n, seed, format) under ``--data``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for p in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def run(command: list[str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watched = psutil.Process(child.pid)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            with contextlib.suppress(psutil.Error):
                peak = max(peak, tree_rss(watched))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"命令失败：{' '.join(command)}\n{err[-2000:]}")
    return time.perf_counter() - started, peak, out


def main() -> None:
    parser = argparse.ArgumentParser(description="huiqi batch 压测")
    parser.add_argument("--n", type=int, nargs="+", default=[100_000])
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--engines", nargs="+", default=["columnar", "rete"], choices=("columnar", "rete"))
    parser.add_argument("--format", choices=("csv", "jsonl", "parquet"), default="csv")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--db", default=None, help="数据库 URL（默认每次一个新的 SQLite 文件）")
    parser.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="传给 huiqi batch 的其他参数")
    args = parser.parse_args()
    python = sys.executable
    rows = []
    for n in args.n:
        data = args.data / f"registry-{n}-{args.seed}-{args.format}"
        if not data.exists():
            seconds, peak, _ = run([python, "-m", "api.cli", "synth", "--n", str(n), "--seed", str(args.seed),
                                    "--out", str(data), "--format", args.format])
            print(f"synth n={n}: {seconds:.1f} s, peak {peak / 2**20:.0f} MiB", flush=True)
        for workers in args.workers:
            for engine in args.engines:
                db_file = args.data / f"bench-{n}-{workers}-{engine}.sqlite3"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db_file}{suffix}").unlink(missing_ok=True)
                db = args.db or f"sqlite:///{db_file}"
                seconds, peak, out = run([python, "-m", "api.cli", "batch", str(data), "--as-of", "2026-01-15",
                                          "--workers", str(workers), "--db", db, "--out", str(args.data / "out"),
                                          "--engine", engine, "--no-progress", *args.extra])
                summary = json.loads(out.strip().splitlines()[-1])
                row = {"n": n, "workers": workers, "engine": engine, "format": args.format,
                       "wall_s": round(seconds, 1), "per_s": round(n / seconds), "peak_tree_mib": round(peak / 2**20),
                       "batch_s": summary["seconds"], "evaluate_s": summary["evaluate_seconds"],
                       "lists_s": summary["lists_seconds"], "stages": summary.get("stages", {}),
                       "matched": summary["matched"], "rejected": summary["rejected"]}
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"largest single child process (ru_maxrss): {children / 1024:.0f} MiB")
    print("| n | workers | engine | wall s | evaluation s | lists s | enterprises/s | peak tree MiB | stages (s) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        stages = ", ".join(f"{k.removesuffix('_s')} {v}" for k, v in r["stages"].items())
        cells = [f"{r['n']:,}", r["workers"], r["engine"], r["wall_s"], r["evaluate_s"], r["lists_s"],
                 f"{r['per_s']:,}", r["peak_tree_mib"], stages]
        print("| " + " | ".join(str(c) for c in cells) + " |")
    for n in args.n:
        for workers in args.workers:
            speed = {r["engine"]: r["per_s"] for r in rows if r["n"] == n and r["workers"] == workers}
            if "columnar" in speed and "rete" in speed:
                print(f"n={n:,} workers={workers}: columnar {speed['columnar']:,}/s, rete {speed['rete']:,}/s, "
                      f"ratio {speed['columnar'] / speed['rete']:.2f}x")


if __name__ == "__main__":
    main()
