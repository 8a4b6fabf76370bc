"""CPU time per result row of writing a run's lists: batch/lists.py against the writer it replaced, same process.

    python bench/lists_bench.py --db sqlite:///var/bench/lists.sqlite3 [--run RUN_ID] [--rounds 5]

Takes a finished run (the latest in the database unless ``--run``) and writes every measure's lists
(xlsx and CSV per handling unit, the city list copied: ``write_measure``) in this one process, once
with the old writer kept in tests/batch/lists_before.py (SQLAlchemy rows, ``csv.writer`` and
``XlsxStream.add`` per line and list) and once with batch/lists.py, alternating which goes first, each
into a fresh folder. Times are CPU seconds of the process (``time.process_time``: user and system, so
the file writes count, a loaded machine less), the median of ``--rounds`` rounds, divided by the run's
result rows. The first round also checks that both wrote the same files, byte for byte.

A run to write from: ``huiqi synth --n 100000 --seed 1`` then ``huiqi batch DIR --as-of 2026-01-15
--db sqlite:///var/bench/lists.sqlite3 --workers 1``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/ holds the old writer

from batch import lists  # noqa: E402
from engine import default_rules  # noqa: E402
from store import runs  # noqa: E402
from store.db import make_engine  # noqa: E402
from store.models import BatchRun  # noqa: E402
from tests.batch import lists_before  # noqa: E402

Write = Callable[[Any, str, str, Path, frozenset[str]], Any]


def write_all(write: Write, engine: Any, run_id: str, measures: list[str], folder: Path,
              local_units: frozenset[str]) -> float:
    """CPU seconds to write every measure's lists under ``folder``."""
    started = time.process_time()
    with engine.connect() as conn:
        for measure in measures:
            write(conn, run_id, measure, folder / measure, local_units)
    return time.process_time() - started


def same_files(one: Path, two: Path) -> int:
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    if files != sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file()):
        raise SystemExit("the two writers wrote different files")
    differ = [f for f in files if (one / f).read_bytes() != (two / f).read_bytes()]
    if differ:
        raise SystemExit(f"{len(differ)} files differ, e.g. {differ[0]}")
    return len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description="写名单压测：每条结果的 CPU 微秒数（新旧写法同进程交替）")
    parser.add_argument("--db", required=True)
    parser.add_argument("--run", help="批次号，默认最近一个")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    engine = make_engine(args.db)
    with engine.connect() as conn:
        run_id = args.run or conn.scalar(select(BatchRun.id).order_by(BatchRun.started_at.desc()).limit(1))
        sizes = runs.measure_sizes(conn, run_id)
    rows = sum(sizes.values())
    measures = sorted(sizes, key=lambda m: -sizes[m])
    local_units = frozenset(default_rules().local_units.all_local_units())
    writers: dict[str, Write] = {"before": lists_before.write_measure, "now": lists.write_measure}
    times: dict[str, list[float]] = {name: [] for name in writers}
    with tempfile.TemporaryDirectory() as tmp:
        for round_no in range(args.rounds):
            order = list(writers) if round_no % 2 == 0 else list(writers)[::-1]
            for name in order:
                times[name].append(write_all(writers[name], engine, run_id, measures, Path(tmp) / name, local_units))
            if round_no == 0:
                files = same_files(Path(tmp) / "before", Path(tmp) / "now")
            for name in writers:
                shutil.rmtree(Path(tmp) / name)
    per_row = {name: statistics.median(found) / rows * 1e6 for name, found in times.items()}
    print(f"run {run_id}: {rows:,} result rows, {len(measures)} measures, {files} files (identical); "
          f"median of {args.rounds} rounds, CPU time")
    print("| writer | µs/row | rounds (s) |")
    print("|---|---|---|")
    for name, found in times.items():
        print(f"| {name} | {per_row[name]:.1f} | {', '.join(f'{t:.2f}' for t in found)} |")
    print(f"now / before: {per_row['now'] / per_row['before']:.2f}")


if __name__ == "__main__":
    main()
