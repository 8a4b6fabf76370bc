"""``result_json`` (the bytes ``POST /api/v1/evaluate`` answers) is ``model_dump_json(exclude_none=True)``
to the byte, and writes each shared measure result once."""

from __future__ import annotations

import datetime as dt
import pickle
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine.result
from engine import Result, evaluate, parse_profile
from engine.result import MeasureResult, result_json, trusted
from tests.strategies import profiles

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from engine_bench import synthetic_profile  # noqa: E402

# the rules' own dates, a date before most measures apply and one after some ended (ineligible by validity)
DAYS = [dt.date(2026, 1, 15), dt.date(2027, 6, 30), dt.date(2024, 3, 1), dt.date(2031, 1, 1)]


def expected(result: Result) -> bytes:
    return result.model_dump_json(exclude_none=True).encode()


def variants(result: Result) -> list[Result]:
    """The result, and as it reads without a release of the rules (an older rules directory)."""
    return [result, trusted(Result, {**result.__dict__, "rules_release": None})]


def test_bytes_are_model_dump_json_over_varied_profiles() -> None:
    rng = random.Random(14)
    seen: Counter[str] = Counter()
    for i in range(240):
        profile = synthetic_profile(rng)
        if i % 3 == 0:  # partial profiles: many undetermined measures
            profile = {k: v for k, v in profile.items() if rng.random() < 0.6}
        result = evaluate(parse_profile(profile), DAYS[i % len(DAYS)], near_miss=i % 5 != 0)
        for variant in variants(result):
            assert result_json(variant) == expected(variant), profile
            assert result_json(variant) == expected(variant)  # again, from the kept parts
        seen.update(r.status for r in result.results)
        seen["near miss"] += any(r.near_miss for r in result.results)
        seen["warning"] += bool(result.warnings)
        seen["release"] += result.rules_release is not None
    # every kind of part the bytes are made of was met, many times
    assert min(seen[k] for k in ("eligible", "ineligible", "undetermined", "informational", "near miss",
                                 "warning", "release")) >= 10, seen


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=profiles, as_of=st.sampled_from(DAYS))
def test_bytes_are_model_dump_json_for_any_profile(profile: dict[str, Any], as_of: dt.date) -> None:
    for variant in variants(evaluate(parse_profile(profile), as_of)):
        assert result_json(variant) == expected(variant)


def test_a_validated_result_reads_the_same() -> None:
    # built by pydantic, not by the engine: no part is kept yet
    result = evaluate(parse_profile(synthetic_profile(random.Random(3))), DAYS[0])
    again = Result.model_validate_json(result.model_dump_json())
    assert result_json(again) == expected(result) == expected(again)


def test_each_shared_measure_result_is_written_once(monkeypatch: Any) -> None:
    written: list[MeasureResult] = []
    serializer = engine.result.MEASURE_JSON

    class Counting:
        def to_json(self, value: MeasureResult, **options: Any) -> bytes:
            written.append(value)
            return serializer.to_json(value, **options)

    monkeypatch.setattr(engine.result, "MEASURE_JSON", Counting())
    profile = parse_profile({"industry_code": "C3911", "employees": 35, "district": "湖里区", "hires": [
        {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "contract_months": 11}]})
    first, second = evaluate(profile, DAYS[0]), evaluate(profile, DAYS[0])
    shared = [a for a, b in zip(first.results, second.results, strict=True) if a is b]
    assert len(shared) > 25  # the premise: most are shared
    assert result_json(first) == expected(first)
    own = [a for a in first.results if not any(a is s for s in shared)]  # the near misses' own, built afresh
    assert own and all(any(w is a for w in written) for a in own)  # (other tests may have written the shared)
    written.clear()
    assert result_json(first) == expected(first)
    assert written == []  # every part kept
    assert result_json(second) == expected(second)
    afresh = [b for b in second.results if not any(b is s for s in shared)]
    assert len(written) == len(afresh) == len(own)
    assert all(w is b for w, b in zip(written, afresh, strict=True))


def test_a_written_result_still_compares_and_pickles_as_before() -> None:
    result = evaluate(parse_profile(synthetic_profile(random.Random(5))), DAYS[0])
    fresh = Result.model_validate_json(result.model_dump_json())
    result_json(result)
    assert result == fresh
    assert pickle.loads(pickle.dumps(result)) == fresh
    # a copy does not carry the original's bytes along
    copied = result.results[0].model_copy(update={"title": "另一个"})
    changed = trusted(Result, {**result.__dict__, "results": [copied]})
    assert result_json(changed) == expected(changed)
