"""CPU of a CSV folder's index load and of the workers' merge, per enterprise, for the tree on the path:

    PYTHONPATH=. python bench/csv_index_bench.py var/bench/registry-100000-1-csv
    PYTHONPATH=../base python bench/csv_index_bench.py var/bench/registry-100000-1-csv  # base: a git worktree

The index is loaded in this process (one loader, so its CPU is counted here), ``--rounds`` times; then
every chunk of 10,000 enterprises is merged as a worker does (``records_of``), ``--rounds`` times, the
garbage collector tuned as in a worker. Prints the fastest round of each: alternate the two trees.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import batch.csv_index
from batch.csv_index import CsvIndex, records_of
from batch.worker import tune_gc


def main() -> None:
    parser = argparse.ArgumentParser(description="CSV 索引压测：建索引与归并每户企业的 CPU 微秒数")
    parser.add_argument("registry", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tune_gc()
    batch.csv_index.INDEX_LOADERS = 1
    loads: list[float] = []
    for _ in range(args.rounds):
        started = time.process_time()
        index = CsvIndex(args.registry)
        loads.append(time.process_time() - started)
        if len(loads) < args.rounds:
            index.close()
    try:
        parts = index.slices(10_000)
        merges: list[float] = []
        for _ in range(args.rounds):
            started = time.process_time()
            for part in parts:
                records_of(index.files, part)
            merges.append(time.process_time() - started)
    finally:
        index.close()
    per = 1e6 / index.total
    print(f"{batch.csv_index.__file__}: index {min(loads) * per:.1f} µs, merge {min(merges) * per:.1f} µs "
          f"per enterprise (CPU, fastest of {args.rounds})")


if __name__ == "__main__":
    main()
