"""CPU per enterprise of a CSV chunk on the columnar engine, with the column lane off and on, same process:

    python bench/column_lane_bench.py var/bench/registry-100000-1-csv [--chunks 3] [--rounds 3]

The folder is indexed in this process, then the first ``--chunks`` chunks of 10,000 are evaluated as a
worker does (``SliceTask.evaluate``, the garbage collector tuned as in a worker), the lane off and on in
turn, ``--rounds`` times. Prints per way the median over rounds of the process CPU per enterprise
(``time.process_time``: every thread, so Polars' too) and of each stage the worker reports (wall time,
per enterprise). tests/batch/test_column_lane.py proves that both ways give the same outcome.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path

import batch.csv_index
from batch import column_lane
from batch.csv_index import CsvIndex
from batch.runner import select_measures
from batch.worker import Job, SliceTask, ready


def main() -> None:
    parser = argparse.ArgumentParser(description="列式通道压测：同一进程内通道关与开，每户 CPU 微秒数")
    parser.add_argument("registry", type=Path)
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    batch.csv_index.INDEX_LOADERS = 1
    index = CsvIndex(args.registry)
    try:
        parts = index.slices(10_000)[: args.chunks]
        job = Job(as_of=dt.date(2026, 1, 15), measures=frozenset(select_measures(None, False)), engine="columnar",
                  chunk_size=10_000)
        ready("columnar")
        SliceTask(index.files, parts[0]).evaluate(job)  # warm: compiled plans, first Polars queries
        n = sum(part.count for part in parts)
        seen: dict[bool, list[dict[str, float]]] = {False: [], True: []}
        for _ in range(args.rounds):
            for on in (False, True):
                column_lane.ENABLED = on
                stages: dict[str, float] = {}
                started = time.process_time()
                for part in parts:
                    for name, seconds in SliceTask(index.files, part).evaluate(job).timing.items():
                        stages[name] = stages.get(name, 0.0) + seconds
                stages["cpu"] = time.process_time() - started
                seen[on].append(stages)
    finally:
        index.close()
    for on in (False, True):
        names = sorted(seen[on][0])
        figures = ", ".join(f"{name} {statistics.median(r[name] for r in seen[on]) / n * 1e6:.1f}" for name in names)
        print(f"lane {'on ' if on else 'off'}: µs per enterprise (median of {args.rounds}): {figures}")


if __name__ == "__main__":
    main()
