"""How long SQLite alone takes to store a batch's rows: the floor under ``huiqi batch`` on SQLite.

    python bench/store_floor.py --db sqlite:///var/bench/bench-100000-2-columnar.sqlite3

Takes the rows a finished run stored (results, registry rows, members) and inserts them again, chunk
by chunk as ``store.runs`` does (the same statements, one transaction per chunk, WAL), into a fresh
database under a new run id, timing only the driver's ``executemany`` calls and the commits (wall time,
and this process's CPU time, which a busy machine moves less). Prints microseconds per row of each
statement, per enterprise, and what that makes for 1,000,000 enterprises with the same number of results
per enterprise: the time no engine can win back while one process writes one SQLite file. The statements
and parameters are store.runs's own (``sqlite_result_params``, ``sqlite_registry_params``, the one lookup
of stored digests per chunk).
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

import orjson

from store.db import open_database
from store.runs import (
    _SQLITE_KEEP_REPLACED,
    _SQLITE_MEMBERS,
    _SQLITE_REGISTRY,
    _SQLITE_RESULTS,
    _SQLITE_STORED_DIGESTS,
    sqlite_registry_params,
    sqlite_result_params,
)

RESULT_COLUMNS = ("chunk_no, credit_code, measure, name, district, zone, amount_kind, amount_yuan, formula, reasons,"
                  " units, provenance")


def load(path: str) -> tuple[str, list[tuple[object, ...]], list[tuple[object, ...]], int]:
    db = sqlite3.connect(path)
    run_id, chunk_size = db.execute(
        "SELECT id, chunk_size FROM batch_runs ORDER BY started_at DESC LIMIT 1").fetchone()
    results = db.execute(
        f"SELECT {RESULT_COLUMNS} FROM batch_results WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
    registry = db.execute(
        "SELECT r.credit_code, r.name, r.district, r.profile, m.profile_digest, r.source, r.provenance"
        " FROM batch_members m JOIN registry_enterprises r USING (credit_code) WHERE m.run_id = ?"
        " ORDER BY r.credit_code", (run_id,)).fetchall()
    db.close()
    return run_id, results, registry, chunk_size


def store_once(results: list[tuple[object, ...]], registry: list[tuple[object, ...]],
               chunk_size: int, pragmas: tuple[str, ...] = ()) -> dict[str, tuple[float, float]]:
    """(wall, CPU) seconds per statement for storing everything once into a fresh database."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'floor.sqlite3'}"
        open_database(url).dispose()  # the schema, by the migrations
        db = sqlite3.connect(Path(folder) / "floor.sqlite3", isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", *pragmas):
            db.execute(f"PRAGMA {pragma}")
        run = "floor"
        db.execute("INSERT INTO batch_runs (id, status, rules_version, input_path, input_format, input_fingerprint,"
                   " as_of, measures, only_auto, chunk_size, engine, started_at) VALUES (?, 'running', 'x', 'x',"
                   " 'csv', 'x', '2026-01-15', '[]', 0, ?, 'columnar', '2026-01-01')", (run, chunk_size))
        spent = dict.fromkeys(("results", "members", "keep_replaced", "registry", "commit"), 0.0)
        cpu = dict.fromkeys(spent, 0.0)
        by_chunk: dict[object, list[tuple[object, ...]]] = {}
        for row in results:
            by_chunk.setdefault(row[0], []).append(row)
        chunks = sorted(by_chunk)
        for number, chunk in enumerate(chunks):
            members = registry[number * len(registry) // len(chunks):(number + 1) * len(registry) // len(chunks)]
            db.execute("BEGIN")
            for name, sql, rows in (
                ("results", _SQLITE_RESULTS, sqlite_result_params(run, chunk, [row[1:] for row in by_chunk[chunk]])),
                ("members", _SQLITE_MEMBERS, [(run, r[0], r[4]) for r in members]),
                ("keep_replaced", _SQLITE_STORED_DIGESTS, orjson.dumps([r[0] for r in members]).decode()),
                ("registry", _SQLITE_REGISTRY, sqlite_registry_params(run, members)),
            ):
                started, used = time.perf_counter(), time.process_time()
                if name == "keep_replaced":  # as store.runs._replaced: one lookup, then only the changed ones
                    stored = dict(db.execute(sql, (rows,)).fetchall())
                    db.executemany(_SQLITE_KEEP_REPLACED, [(r[0], r[4]) for r in members
                                                           if stored.get(r[0], r[4]) != r[4]])
                else:
                    db.executemany(sql, rows)
                spent[name] += time.perf_counter() - started
                cpu[name] += time.process_time() - used
            started, used = time.perf_counter(), time.process_time()
            db.execute("COMMIT")
            spent["commit"] += time.perf_counter() - started
            cpu["commit"] += time.process_time() - used
        db.close()
        return {name: (spent[name], cpu[name]) for name in spent}


def main() -> None:
    parser = argparse.ArgumentParser(description="SQLite 存一个批次的行要多久（huiqi batch 在 SQLite 上的下限）")
    parser.add_argument("--db", required=True, help="一个已完成批次的 SQLite 数据库 URL（sqlite:///路径）")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pragma", action="append", default=[],
                        help="再加一条 PRAGMA（如 cache_size=-65536），试它对写入的影响；可重复")
    args = parser.parse_args()
    run_id, results, registry, chunk_size = load(args.db.removeprefix("sqlite:///"))
    rounds = [store_once(results, registry, chunk_size, tuple(args.pragma)) for _ in range(args.rounds)]
    median = {name: tuple(statistics.median(r[name][i] for r in rounds) for i in (0, 1)) for name in rounds[0]}
    enterprises = len(registry)
    per = len(results) / enterprises
    print(f"批次 {run_id}：{len(results):,} 条符合结果，{enterprises:,} 户（每户 {per:.2f} 条），"
          f"{args.rounds} 轮取中位数；墙钟与本进程 CPU 时间（用户+系统，机器忙时看 CPU）")
    rows = {"results": len(results), "keep_replaced": enterprises, "registry": enterprises, "members": enterprises,
            "commit": enterprises}
    for name, (wall, cpu) in median.items():
        print(f"  {name:<14} {wall:6.2f} s  {wall / rows[name] * 1e6:6.2f} µs/行   CPU {cpu:6.2f} s"
              f"  {cpu / rows[name] * 1e6:6.2f} µs/行")
    total, total_cpu = (sum(m[i] for m in median.values()) for i in (0, 1))
    print(f"  合计 {total:.2f} s，每户 {total / enterprises * 1e6:.1f} µs；100 万户约 {total / enterprises * 1e6:.1f} s"
          f"（CPU {total_cpu:.2f} s，每户 {total_cpu / enterprises * 1e6:.1f} µs）（只算 SQLite 驱动的写入，单个进程）")

if __name__ == "__main__":
    main()
