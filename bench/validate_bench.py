"""The batch workers' merge and validate stages, in CPU µs per enterprise, with the canonical-code
shortcut (engine.credit_code) off and on, alternating in one process:

    PYTHONPATH=. python bench/validate_bench.py var/bench/registry-100000-1-csv --chunks 3

It indexes the CSV folder, then per round merges ``--chunks`` chunks of 10,000 enterprises the way a
worker does (``records_of``) and validates them as ``evaluate_chunk`` does (``_validated``), the
garbage collector tuned as in a worker. Prints the median per stage and the ratio on/off.

With ``--before`` it alternates the Profile of before issue 14's validation work (tests/profile_before.py,
validated as ``parse_profile`` then did) with today's, the shortcut on in both: "off" is before, "on" is now.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

from pydantic import ValidationError

import batch.worker
from batch.csv_index import CsvIndex, records_of
from batch.worker import ChunkOutcome, _validated, tune_gc
from engine import credit_code
from engine.errors import from_validation_error
from tests.profile_before import Profile as Before  # PYTHONPATH=. as above


def _parse_before(data: Any) -> Any:
    try:
        return Before.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def main() -> None:
    parser = argparse.ArgumentParser(description="批量校验压测：每户企业合并与校验的 CPU 微秒数（关/开交替）")
    parser.add_argument("registry", type=Path)
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", action="store_true", help="关=问题 14 校验优化之前的 Profile，开=现在的")
    args = parser.parse_args()
    now = batch.worker.parse_profile
    tune_gc()
    index = CsvIndex(args.registry)
    parts = index.slices(10_000)[: args.chunks]
    times: dict[str, list[float]] = {"merge off": [], "merge on": [], "validate off": [], "validate on": []}
    count = 0
    try:
        for _ in range(args.rounds):
            for mode in ("off", "on"):
                if args.before:
                    batch.worker.parse_profile = now if mode == "on" else _parse_before
                else:
                    credit_code.ENABLED = mode == "on"
                started = time.process_time()
                chunks = [records_of(index.files, part) for part in parts]
                times[f"merge {mode}"].append(time.process_time() - started)
                count = sum(map(len, chunks))
                out = ChunkOutcome(0)
                started = time.process_time()
                for records in chunks:
                    for record in records:
                        _validated(record, out)
                times[f"validate {mode}"].append(time.process_time() - started)
    finally:
        index.close()
    medians = {name: statistics.median(values) / count * 1e6 for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:13s} {value:6.1f} µs/户（{count} 户，{args.rounds} 轮中位数）")
    print(f"validate on/off: {medians['validate on'] / medians['validate off']:.2f}x; "
          f"merge on/off: {medians['merge on'] / medians['merge off']:.2f}x")


if __name__ == "__main__":
    main()
