"""Byte-identity oracle for the engine: freeze the Results of one revision, compare another's with them.

usage: PYTHONPATH=. python bench/engine_oracle.py freeze /tmp/oracle.json [--n 2500]
       PYTHONPATH=. python bench/engine_oracle.py check /tmp/oracle.json

``freeze`` stores the input profiles (``--n`` of bench/engine_bench.py's synthetic ones and ``--n``
drawn by tests/strategies.py, derandomised) with ``Result.model_dump_json()`` of each for three dates,
with and without near misses, one at a time and in batches (``evaluate_many``), and the ranked
questions (``engine.questions.next_questions``) of a share of them, each as a SHA-256 digest (the
JSON itself takes gigabytes). ``check`` recomputes everything
from the stored profiles with the code at hand and reports every output that differs by one byte.
A speed change to the engine must leave ``check`` silent (run ``freeze`` on main first).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import sys
from typing import Any

sys.path.insert(0, "bench")
sys.path.insert(0, ".")

from engine import default_rules, evaluate, parse_profile  # noqa: E402
from engine.errors import ProfileError  # noqa: E402
from engine.evaluate import evaluate_many  # noqa: E402
from engine.questions import next_questions  # noqa: E402

DATES = (dt.date(2026, 1, 15), dt.date(2025, 3, 1), dt.date(2027, 7, 1))
QUESTIONS_EVERY = 10  # ranked questions of one profile in ten (they cost several evaluations each)


def hypothesis_profiles(n: int) -> list[dict[str, Any]]:
    from hypothesis import HealthCheck, given, settings

    from tests.strategies import profiles

    drawn: list[dict[str, Any]] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(profiles)
    def collect(profile: dict[str, Any]) -> None:
        drawn.append(profile)

    collect()
    return drawn[:n]


def digest(output: str) -> str:
    return hashlib.sha256(output.encode()).hexdigest()


def outputs(raw: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(label, digest) of every output, digested as it is made (the JSON of all takes gigabytes)."""
    book = default_rules()
    parsed: list[Any] = []
    out: list[tuple[str, str]] = []
    for i, data in enumerate(raw):
        try:
            parsed.append(parse_profile(data))
        except ProfileError as exc:  # kept out of the rest
            out.append((f"profile {i} error", digest(str(exc))))
    for as_of in DATES:
        for near_miss in (True, False):
            out += [(f"evaluate {as_of} near_miss={near_miss} of valid profile {i}",
                     digest(evaluate(p, as_of, book, near_miss).model_dump_json())) for i, p in enumerate(parsed)]
            out += [(f"evaluate_many {as_of} near_miss={near_miss} of valid profile {i}", digest(r.model_dump_json()))
                    for i, r in enumerate(evaluate_many(parsed, as_of, book, near_miss))]
    for i in range(0, len(parsed), QUESTIONS_EVERY):
        out.append((f"next_questions of valid profile {i}", digest(repr(next_questions(parsed[i], DATES[0], None,
                                                                                            book=book)))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["freeze", "check"])
    parser.add_argument("path")
    parser.add_argument("--n", type=int, default=2500)
    args = parser.parse_args()
    if args.mode == "freeze":
        from engine_bench import synthetic_profile

        rng = random.Random(1)
        raw = [synthetic_profile(rng) for _ in range(args.n)] + hypothesis_profiles(args.n)
        with open(args.path, "w") as f:
            json.dump({"profiles": raw, "outputs": [d for _, d in outputs(raw)]}, f, ensure_ascii=False)
        print(f"froze {len(raw)} profiles to {args.path}")
        return
    with open(args.path) as f:
        frozen = json.load(f)
    got = outputs(frozen["profiles"])
    want = frozen["outputs"]
    differ = [i for i, ((_, a), b) in enumerate(zip(got, want, strict=False)) if a != b]
    if len(got) != len(want):
        print(f"DIFFERENT: {len(got)} outputs, {len(want)} frozen")
    for i in differ[:5]:
        print(f"DIFFERENT output {i}: {got[i][0]}")
    if differ or len(got) != len(want):
        sys.exit(f"{len(differ)} of {len(want)} outputs differ")
    print(f"identical: {len(want)} outputs of {len(frozen['profiles'])} profiles")


if __name__ == "__main__":
    main()
