"""Engine benchmark: evaluate N synthetic profiles in one process, print throughput and latency.

usage: python bench/engine_bench.py [--n 5000] [--seed 1]

Prints profiles/s, p50 and p99 latency of one full evaluation (validation + facts +
durable-rules + decisions + Result), and, as a baseline measured in the same process,
the cost of one bare durable-rules round trip (one fact, one rule) so the ratio shows
how much the rules and the explanation add to the engine's floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from engine import default_rules, evaluate, parse_profile
from engine.compiled import CompiledRule
from engine.session import RuleSession

AS_OF = dt.date(2026, 1, 15)
DISTRICTS = ["思明区", "湖里区", "集美区", "海沧区", "同安区", "翔安区"]
CODES = ["C3911", "C13", "F51", "F52", "G54", "G592", "H62", "I65", "K7020", "L72", "M73", "E47", "A01"]


def synthetic_profile(rng: random.Random) -> dict[str, Any]:
    def day(start: int, end: int) -> str:
        return (dt.date(start, 1, 1) + dt.timedelta(days=rng.randrange((end - start) * 365))).isoformat()

    hires = [{"birth_date": day(1998, 2011), "hired_on": day(2025, 2026), "registered_unemployed": rng.random() < .7,
              "contract_months": rng.choice([6, 11, 12, 24, 36]), "social_insurance_months": rng.randrange(0, 12),
              "insurance_months": {k: rng.randrange(0, 8) for k in ("unemployment", "work_injury", "pension")}}
             for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))]
    profile: dict[str, Any] = {
        "entity_type": rng.choice(["enterprise"] * 4 + ["individual_business"]),
        "industry_code": rng.choice(CODES), "employees": rng.randrange(1, 1500),
        "revenue_yuan": rng.randrange(10_000, 500_000_000), "total_assets_yuan": rng.randrange(10_000, 900_000_000),
        "founded_on": day(2010, 2026), "district": rng.choice(DISTRICTS),
        "hires": hires,
        "procurement_contracts": [{"amount_yuan": rng.randrange(10_000, 9_000_000),
                                   "prepayment_arranged": rng.random() < .5} for _ in range(rng.choice([0, 1, 2]))],
        "designations": [{"kind": "little_giant", "recognized_on": day(2023, 2026)}] if rng.random() < .05 else [],
    }
    for key in ("revenue_yuan", "founded_on", "total_assets_yuan"):
        if rng.random() < .1:
            del profile[key]  # partial profiles are the norm on the self-check form
    return profile


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def time_each(fn: Any, items: list[Any]) -> list[float]:
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - start)
    return sorted(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    raw = [synthetic_profile(rng) for _ in range(args.n)]
    book = default_rules()
    for data in raw[:200]:  # warm up: compile the rules, fill caches
        evaluate(parse_profile(data), AS_OF, book)

    bare = RuleSession("bench_bare", {"r0": CompiledRule(tag="x", when={"all": [{"m": {"$and": [
        {"t": "ent"}, {"$gte": {"employees": 0}}]}}]})})
    baseline = time_each(lambda d: bare.run([{"t": "ent", "i": -1, "employees": d["employees"]}]), raw)
    started = time.perf_counter()
    full = time_each(lambda d: evaluate(parse_profile(d), AS_OF, book), raw)
    wall = time.perf_counter() - started
    # what the near-miss answers add (a batch leaves them out: evaluate_many(..., near_miss=False))
    without = time_each(lambda d: evaluate(parse_profile(d), AS_OF, book, near_miss=False), raw)

    p50, p99 = percentile(full, .5), percentile(full, .99)
    base50 = percentile(baseline, .5)
    print(f"profiles: {args.n} (seed {args.seed}), rules version {book.version}, one process, one core")
    print(f"full evaluation: {args.n / wall:,.0f} profiles/s; p50 {p50 * 1e6:,.0f} us; p99 {p99 * 1e6:,.0f} us; "
          f"mean {statistics.fmean(full) * 1e6:,.0f} us")
    print(f"baseline (bare durable-rules round trip, same process): p50 {base50 * 1e6:,.0f} us")
    print(f"ratio full / baseline (p50): {p50 / base50:.1f}x")
    print(f"without near-miss answers (as the batch evaluates): p50 {percentile(without, .5) * 1e6:,.0f} us; "
          f"full / without (p50): {p50 / percentile(without, .5):.2f}x")
    print(f"target p50 < 1,000 us: {'met' if p50 < 1e-3 else 'NOT met'}")


if __name__ == "__main__":
    main()
