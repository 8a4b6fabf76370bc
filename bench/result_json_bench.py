"""The Result's JSON alone: the serializer's one pass against ``result_json`` (each measure's part kept).

usage: python bench/result_json_bench.py [--n 500] [--rounds 7]

Each round evaluates ``--n`` fresh results (untimed) of two workloads: the API benchmark's body
(examples/small-manufacturer.json, the same profile each time, as a benchmark sends it) and varied
synthetic profiles (bench/engine_bench.py). Then each result is written both ways, in turn, the
order swapped every round; the measures' results the engine built afresh (near misses) are new in
every round, as in a request. Prints the median CPU µs per result of each way, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_bench import AS_OF, synthetic_profile  # noqa: E402

from engine import Result, evaluate, parse_profile  # noqa: E402
from engine.result import RESULT_JSON, result_json  # noqa: E402


def one_pass(result: Result) -> bytes:
    return RESULT_JSON.to_json(result, exclude_none=True)


def cpu_us(write: Callable[[Result], bytes], results: list[Result]) -> float:
    started = time.thread_time()
    for result in results:
        write(result)
    return (time.thread_time() - started) / len(results) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    example = parse_profile(json.loads((ROOT / "examples" / "small-manufacturer.json").read_text(encoding="utf-8")))
    rng = random.Random(1)
    varied = [parse_profile(synthetic_profile(rng)) for _ in range(args.n)]
    workloads = {"small-manufacturer": [example] * args.n, "synthetic": varied}
    ways = {"one pass (to_json)": one_pass, "result_json": result_json}
    for name, profiles in workloads.items():
        times: dict[str, list[float]] = {way: [] for way in ways}
        for round_ in range(args.rounds + 1):
            results = [evaluate(p, AS_OF) for p in profiles]
            order = list(ways) if round_ % 2 else list(reversed(ways))
            for way in order:
                spent = cpu_us(ways[way], results)
                if round_:  # the first round warms up
                    times[way].append(spent)
            assert all(result_json(r) == one_pass(r) for r in results)
        medians = {way: statistics.median(values) for way, values in times.items()}
        print(f"{name}: CPU µs per result, median of {args.rounds} rounds × {args.n}")
        for way, values in times.items():
            print(f"  {way:<20} {medians[way]:7.1f}   (rounds {', '.join(f'{v:.1f}' for v in values)})")
        old, new = medians.values()
        print(f"  ratio {new / old:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
