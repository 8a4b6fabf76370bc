"""Interview benchmark: how many questions until every money measure is settled, and how long a step takes.

usage: python bench/interview_bench.py [--n 300] [--seed 7] [--as-of 2026-01-15]

Takes N synthetic registry profiles (batch/synth.py; its deliberately bad rows are skipped) and
hides each behind a simulated user who answers exactly what is asked, from the profile, and
"不清楚" for what the profile does not hold (facts no face asks, such as the months of social
insurance that are asked per insurance, are left out of the profile: ``engine.interview.as_asked``).
Each interview starts from nothing and is run twice:

- by question (``engine.questions.first_question``): each step asks one question, the top one,
  or the checklist "以下哪些情况适用于您？" when it leads (every list not told yet that can still
  change money, one tick each: 有几… / 没有 / 不清楚): the count the issue's goal is about;
- by screen (``engine.questions.first_group``), as the web interview shows them: the top
  question and the others of its group (the basic facts, one topic, one hire, the checklist).

Counted, until no remaining question can change a money measure's status or amount: questions
(by question), screens (by screen), and inputs, the single fields answered by then (each list of
the checklist, each fact of a hire …; by screen, the fields of the screens shown), against the
inputs of the full form (every enterprise question plus, per list, its "有没有" and one row);
the server-side time of one step (evaluate + rank: ``engine.interview.step``) on one core.
Checked: at the end every money measure has the result ``evaluate`` gives the whole profile.
The last line is the figures the issue asks for.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
from dataclasses import dataclass, field
from typing import Any

from batch.synth import profiles
from engine import ProfileError, default_rules, evaluate, parse_profile
from engine.interview import Screen, as_asked, replay
from engine.openings import brings_money
from engine.questions import first_group, first_question
from engine.wording import ENTERPRISE, LISTS


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Tally:
    """One way of asking, over all profiles."""

    until_money: list[int] = field(default_factory=list)  # steps until every money measure is settled
    inputs: list[int] = field(default_factory=list)  # fields answered by then
    until_end: list[int] = field(default_factory=list)  # steps until nothing can change any measure
    mismatches: int = 0


def interview(known: dict[str, Any], as_of: dt.date, screen: Screen, timings: list[tuple[float, float]]
              ) -> tuple[int, int, int, Any]:
    """(steps until money is settled, fields answered by then, steps in all, final result)."""
    fields = 0
    money_steps = money_fields = -1
    for steps, (current, asked) in enumerate(replay(known, as_of, screen=screen, timings=timings)):
        if money_steps < 0 and not any(a.money_measures for a in asked):
            money_steps, money_fields = steps, fields
        if not asked:
            return money_steps, money_fields, steps, current.result
        fields += len(asked)
    raise AssertionError("replay ends with a step that asks nothing")


def summary(values: list[int]) -> str:
    return f"median {statistics.median(values):g}, p90 {percentile(values, 0.9):g}, max {max(values)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 1, 15))
    args = parser.parse_args()
    book = default_rules()
    money = [i for i, m in enumerate(book.ir.measures) if brings_money(m.amount) and not m.informational]
    evaluate(parse_profile({}), args.as_of)  # load and compile the rules outside the timings
    ways: dict[str, tuple[Screen, Tally]] = {"question": (first_question, Tally()), "screen": (first_group, Tally())}
    timings: list[tuple[float, float]] = []
    skipped = 0
    for data in profiles(args.n, args.seed):
        try:
            whole = parse_profile(as_asked(data))
        except ProfileError:
            skipped += 1
            continue
        known = whole.model_dump(mode="json", exclude_none=True)
        expected = evaluate(whole, args.as_of).results
        for screen, tally in ways.values():
            until_money, answered, total, final = interview(known, args.as_of, screen, timings)
            tally.mismatches += sum((final.results[i].status, final.results[i].amount)
                                    != (expected[i].status, expected[i].amount) for i in money)
            tally.until_money.append(until_money)
            tally.inputs.append(answered)
            tally.until_end.append(total)
    full_form = len(ENTERPRISE) + sum(1 + len(section.questions) for section in LISTS)
    step_ms = [wall * 1000 for wall, _ in timings]
    cpu_ms = [cpu * 1000 for _, cpu in timings]
    questions, screens = ways["question"][1], ways["screen"][1]
    print(f"profiles={len(questions.until_money)} (bad synthetic rows skipped: {skipped}); as_of={args.as_of}")
    print("until every money measure is settled:")
    print(f"  by question (the checklist is one): questions {summary(questions.until_money)}; "
          f"inputs {summary(questions.inputs)}")
    print(f"  by screen (the web interview): screens {summary(screens.until_money)}; "
          f"inputs {summary(screens.inputs)}")
    print(f"until nothing can change any measure: questions median {statistics.median(questions.until_end):g}, "
          f"screens median {statistics.median(screens.until_end):g}")
    print(f"steps={len(step_ms)}: evaluate + rank p50 {percentile(step_ms, 0.5):.2f} ms, "
          f"p90 {percentile(step_ms, 0.9):.2f} ms, p99 {percentile(step_ms, 0.99):.2f} ms (CPU time of the process: "
          f"p50 {percentile(cpu_ms, 0.5):.2f} ms, p99 {percentile(cpu_ms, 0.99):.2f} ms)")
    print(f"money measures whose final result differs from evaluate of the whole profile: "
          f"{questions.mismatches + screens.mismatches}")
    print(f"median_questions={statistics.median(questions.until_money):g} "
          f"p90_questions={percentile(questions.until_money, 0.9):g} "
          f"median_screens={statistics.median(screens.until_money):g} "
          f"median_inputs={statistics.median(screens.inputs):g} "
          f"full_form_fields={full_form} step_p99_ms={percentile(step_ms, 0.99):.2f}")


if __name__ == "__main__":
    main()
