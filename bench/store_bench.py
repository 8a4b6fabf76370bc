"""CPU time of the batch's main process storing a run's chunks: store/runs.py against the writer it replaced.

    python bench/store_bench.py --db sqlite:///var/bench/bench-100000-2-columnar.sqlite3 [--rounds 3]

Takes a finished run (the latest in the database), rebuilds each chunk's outcome as the workers send it
(results, rejections, registry rows, counts; pickled as they cross processes), then stores every chunk
into a fresh database under a new run, once with the old writer kept in tests/batch/store_before.py and
once with store/runs.py, alternating which goes first. Timed per round: unpickling the outcome and
``write_chunk`` (one transaction per chunk), in CPU seconds of this process (``time.process_time``, so a
loaded machine counts less) and wall seconds. The first round also checks that both stored exactly the
same values in every table (tests/batch/store_dump.py). ``--again`` stores the run a second time into the
same database (the registry then holds every enterprise already).
"""

from __future__ import annotations

import argparse
import bisect
import pickle
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ holds the old writer

from batch import worker  # noqa: E402
from store import runs  # noqa: E402
from store.db import open_database  # noqa: E402
from tests.batch import store_before  # noqa: E402
from tests.batch.store_dump import dump  # noqa: E402

Chunk = dict[str, Any]


def load(path: str) -> list[Chunk]:
    """The latest run's chunks as the workers made them (amounts as the text they send)."""
    db = sqlite3.connect(path)
    run_id = db.execute("SELECT id FROM batch_runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
    chunks: dict[int, Chunk] = {
        n: {"chunk_no": n, "rows": rows, "matched": m, "unmatched": u, "rejected": r, "results": [],
            "rejections": [], "registry": []}
        for n, rows, m, u, r in db.execute(
            "SELECT chunk_no, rows, matched, unmatched, rejected FROM batch_chunks WHERE run_id = ?", (run_id,))}
    for n, *row in db.execute(
            "SELECT chunk_no, credit_code, measure, name, district, zone, amount_kind, amount_yuan, formula, reasons,"
            " units, provenance FROM batch_results WHERE run_id = ? ORDER BY id", (run_id,)):
        row[6] = None if row[6] is None else f"{row[6]:.2f}"
        chunks[n]["results"].append(tuple(row))
    for n, *row in db.execute(
            "SELECT chunk_no, source, line, credit_code, field, reason, kind, source_name, sheet, column_name"
            " FROM batch_rejections WHERE run_id = ? ORDER BY id", (run_id,)):
        chunks[n]["rejections"].append(tuple(row))
    # chunks are runs of consecutive credit codes: a member belongs to the last chunk starting at or before it
    starts = sorted((min(r[0] for r in c["results"]), n) for n, c in chunks.items() if c["results"])
    for row in db.execute(
            "SELECT r.credit_code, r.name, r.district, r.profile, m.profile_digest, r.source, r.provenance"
            " FROM batch_members m JOIN registry_enterprises r USING (credit_code) WHERE m.run_id = ?"
            " ORDER BY r.credit_code", (run_id,)):
        at = max(0, bisect.bisect_right(starts, (row[0], sys.maxsize)) - 1)
        chunks[starts[at][1]]["registry"].append(tuple(row))
    db.close()
    return [chunks[n] for n in sorted(chunks)]


def store(writer: Any, outcome_class: Any, chunks: list[Chunk], folder: Path, again: bool) -> tuple[float, float, Any]:
    """(CPU seconds, wall seconds, the database) of storing every chunk (twice with ``again``)."""
    blobs = [pickle.dumps(outcome_class(**chunk)) for chunk in chunks]
    engine = open_database(f"sqlite:///{folder / 'store.sqlite3'}")
    cpu = wall = 0.0
    for number in range(2 if again else 1):
        run_id = f"bench-{number}"
        runs.create_run(engine, id=run_id, rules_version="x", input_path="x", input_format="csv",
                        input_fingerprint="x", as_of=runs.now().date(), measures=[], only_auto=False,
                        chunk_size=10_000, engine="columnar")
        started, clock = time.process_time(), time.perf_counter()
        for blob in blobs:
            writer(engine, run_id, pickle.loads(blob))
        cpu += time.process_time() - started
        wall += time.perf_counter() - clock
    return cpu, wall, engine


WRITERS = {"before": (store_before.write_chunk, store_before.ChunkOutcome),
           "now": (runs.write_chunk, worker.ChunkOutcome)}


def main() -> None:
    parser = argparse.ArgumentParser(description="批次主进程存库的 CPU 时间：新旧写法同进程交替")
    parser.add_argument("--db", required=True, help="一个已完成批次的 SQLite 数据库 URL（sqlite:///路径）")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--again", action="store_true", help="同一库再存一次（登记库已有全部企业）")
    args = parser.parse_args()
    worker.tune_gc()  # as the batch's main process does (api/cli_batch.py)
    chunks = load(args.db.removeprefix("sqlite:///"))
    results = sum(len(c["results"]) for c in chunks)
    enterprises = sum(len(c["registry"]) for c in chunks)
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in WRITERS}
    for round_no in range(args.rounds):
        order = list(WRITERS) if round_no % 2 == 0 else list(reversed(WRITERS))
        stored = {}
        with tempfile.TemporaryDirectory() as folder:
            for name in order:
                (Path(folder) / name).mkdir()
                cpu, wall, engine = store(*WRITERS[name], chunks, Path(folder) / name, args.again)
                times[name].append((cpu, wall))
                if round_no == 0:
                    stored[name] = dump(engine)
                engine.dispose()
        if round_no == 0 and stored["before"] != stored["now"]:
            differ = [t for t in stored["now"] if stored["now"][t] != stored["before"][t]]
            raise SystemExit(f"the two writers stored different rows in {differ}")
    print(f"{len(chunks)} 块，{results:,} 条结果，{enterprises:,} 户；{args.rounds} 轮中位数"
          f"{'（同一库存两次）' if args.again else ''}；两种写法存入的每张表逐值相同")
    runs_stored = 2 if args.again else 1
    for name, spent in times.items():
        cpu, wall = statistics.median(t[0] for t in spent), statistics.median(t[1] for t in spent)
        print(f"  {name:<7} CPU {cpu:6.2f} s（每户 {cpu / enterprises / runs_stored * 1e6:5.1f} µs）"
              f"  墙钟 {wall:6.2f} s")
    before, now = (statistics.median(t[0] for t in times[n]) for n in WRITERS)
    print(f"  CPU 比值 now/before = {now / before:.2f}")


if __name__ == "__main__":
    main()
