"""Interview benchmark: how many questions until every money measure is settled, and how long a step takes.

usage: python bench/interview_bench.py [--n 300] [--seed 7] [--as-of 2026-01-15] [--one-at-a-time]

Takes N synthetic registry profiles (batch/synth.py; its deliberately bad rows are skipped) and
hides each behind a simulated user who answers exactly what is asked, from the profile, and
"不清楚" for what the profile does not hold (facts no face asks, such as the months of social
insurance that are asked per insurance, are left out of the profile: ``engine.interview.as_asked``).
The interview starts from nothing. Each step shows
one screen: the top question and the others of its group (the basic facts, one topic, one
hire …: ``engine.questions.first_group``), as the web interview does; ``--one-at-a-time``
asks the top question alone, as ``huiqi ask`` does.

Counted: screens (questions) until no remaining question can change a money measure's status
or amount, the fields answered by then, against the inputs of the full form (every enterprise
question plus, per list, its "有没有" and one row); the server-side time of one step (evaluate +
rank: ``engine.interview.step``) on one core. Checked: at the end every money measure has the
result ``evaluate`` gives the whole profile. The last line is the figures the issue asks for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from typing import Any

from batch.synth import profiles
from engine import ProfileError, default_rules, evaluate, parse_profile
from engine.interview import as_asked, replay
from engine.openings import brings_money
from engine.wording import ENTERPRISE, LISTS


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def interview(known: dict[str, Any], as_of: dt.date, grouped: bool, timings: list[tuple[float, float]]
              ) -> tuple[int, int, int, Any]:
    """(screens until money is settled, fields answered by then, screens in all, final result)."""
    fields = 0
    money_screens = money_fields = -1
    for screens, (current, asked) in enumerate(replay(known, as_of, grouped=grouped, timings=timings)):
        if money_screens < 0 and not any(a.money_measures for a in asked):
            money_screens, money_fields = screens, fields
        if not asked:
            return money_screens, money_fields, screens, current.result
        fields += len(asked)
    raise AssertionError("replay ends with a step that asks nothing")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 1, 15))
    parser.add_argument("--one-at-a-time", action="store_true", help="one question per step (as huiqi ask)")
    args = parser.parse_args()
    book = default_rules()
    money = [i for i, m in enumerate(book.ir.measures) if brings_money(m.amount) and not m.informational]
    evaluate(parse_profile({}), args.as_of)  # load and compile the rules outside the timings
    screens, fields, totals, timings = [], [], [], []
    skipped = mismatches = 0
    for data in profiles(args.n, args.seed):
        try:
            whole = parse_profile(as_asked(data))
        except ProfileError:
            skipped += 1
            continue
        known = whole.model_dump(mode="json", exclude_none=True)
        until_money, answered, total, final = interview(known, args.as_of, not args.one_at_a_time, timings)
        expected = evaluate(whole, args.as_of).results
        mismatches += sum((final.results[i].status, final.results[i].amount)
                          != (expected[i].status, expected[i].amount) for i in money)
        screens.append(until_money)
        fields.append(answered)
        totals.append(total)
    full_form = len(ENTERPRISE) + sum(1 + len(section.questions) for section in LISTS)
    step_ms = [wall * 1000 for wall, _ in timings]
    cpu_ms = [cpu * 1000 for _, cpu in timings]
    mode = "one question a step" if args.one_at_a_time else "one screen (a question or its group) a step"
    print(f"profiles={len(screens)} (bad synthetic rows skipped: {skipped}); {mode}; as_of={args.as_of}")
    print(f"until every money measure is settled: screens median {statistics.median(screens):g}, "
          f"p90 {percentile(screens, 0.9):g}, max {max(screens)}; fields answered median "
          f"{statistics.median(fields):g}, p90 {percentile(fields, 0.9):g}")
    print(f"until nothing can change any measure: screens median {statistics.median(totals):g}, "
          f"p90 {percentile(totals, 0.9):g}")
    print(f"steps={len(step_ms)}: evaluate + rank p50 {percentile(step_ms, 0.5):.2f} ms, "
          f"p90 {percentile(step_ms, 0.9):.2f} ms, p99 {percentile(step_ms, 0.99):.2f} ms (CPU time of the process: "
          f"p50 {percentile(cpu_ms, 0.5):.2f} ms, p99 {percentile(cpu_ms, 0.99):.2f} ms)")
    print(f"money measures whose final result differs from evaluate of the whole profile: {mismatches}")
    print(f"median_questions={statistics.median(screens):g} p90_questions={percentile(screens, 0.9):g} "
          f"full_form_fields={full_form} step_p99_ms={percentile(step_ms, 0.99):.2f}")


if __name__ == "__main__":
    main()
