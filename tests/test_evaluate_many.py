"""Many enterprises in one durable-rules session (the batch path) must answer exactly as one each."""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from engine import evaluate, parse_profile
from engine.compiled import CompiledRule
from engine.evaluate import ENTERPRISES_PER_SESSION, evaluate_many
from engine.result import Result
from engine.session import RuleSession

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from engine_bench import synthetic_profile  # noqa: E402

AS_OF = dt.date(2026, 1, 15)
MANUFACTURER = {"industry_code": "C3911", "employees": 35, "revenue_yuan": 12_000_000, "district": "湖里区"}


def _varied(n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    profiles = [synthetic_profile(rng) for _ in range(n)]
    for profile in profiles[: n // 3]:  # and many partial ones: unknowns must not leak between enterprises
        for key in list(profile):
            if rng.random() < 0.3:
                del profile[key]
    return profiles


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2027, 6, 30)])
def test_many_in_one_session_equals_one_by_one(as_of: dt.date) -> None:
    profiles = [parse_profile(p) for p in _varied(3 * ENTERPRISES_PER_SESSION + 5, seed=11)]
    together = [r.model_dump(mode="json") for r in evaluate_many(profiles, as_of)]
    alone = [evaluate(p, as_of).model_dump(mode="json") for p in profiles]
    assert together == alone


def test_derived_facts_do_not_cross_enterprises() -> None:
    # the first is a known small enterprise; the second has loans but an unknown size class. If
    # the second's loans joined the first's size class, M27 would call the second eligible.
    known = parse_profile({**MANUFACTURER, "loans": [{"kind": "equipment_renewal", "principal_yuan": 5e5}]})
    unknown_size = parse_profile({"district": "思明区", "loans": [{"kind": "working_capital", "principal_yuan": 1e6}]})
    first, second = evaluate_many([known, unknown_size], AS_OF)
    assert first.derived.size_class == "small"
    assert second.derived.size_class is None
    assert second.by_measure("M27").status == "undetermined"
    assert evaluate_many([unknown_size, known], AS_OF)[0].by_measure("M27").status == "undetermined"


def test_items_are_told_apart_by_enterprise() -> None:
    # the same hire index 0 in two enterprises: each must be decided on its own facts
    young = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True,
             "contract_months": 12, "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    old = {**young, "birth_date": "1990-01-01"}
    a, b = evaluate_many([parse_profile({**MANUFACTURER, "hires": [young]}),
                          parse_profile({**MANUFACTURER, "hires": [old]})], AS_OF)
    assert a.by_measure("M30").status == "eligible"
    assert b.by_measure("M30").status == "ineligible"


def test_session_never_joins_facts_of_different_enterprises() -> None:
    rule = CompiledRule(tag="joined", when={"all": [
        {"g": {"$and": [{"t": "d"}]}},
        {"ent": {"$and": [{"t": "ent"}, {"$gte": {"n": {"g": "floor"}}}]}},
    ]})
    session = RuleSession("test_enterprise_join", {"r0": rule})
    fired = session.run([
        {"e": 0, "t": "ent", "i": -1, "n": 350}, {"e": 1, "t": "ent", "i": -1, "n": 10},
        {"e": 1, "t": "d", "i": -1, "floor": 300}, {"e": 2, "t": "d", "i": -1, "floor": 5},
    ])
    # enterprise 0 has no floor fact and 2 no enterprise fact; 1 is below its own floor
    assert fired == []
    fired = session.run([{"e": 3, "t": "ent", "i": -1, "n": 350}, {"e": 3, "t": "d", "i": -1, "floor": 300}])
    assert [(f.tag, f.enterprise) for f in fired] == [("joined", 3)]


def test_empty_batch() -> None:
    assert evaluate_many([], AS_OF) == []


def test_results_built_without_validation_are_valid() -> None:
    # the engine builds results without validation (engine.result.trusted): every
    # part must already have its declared type, which strict re-validation checks
    profiles = [parse_profile(p) for p in _varied(120, seed=5)]
    for result in evaluate_many(profiles, AS_OF):
        dumped = result.model_dump()
        again = Result.model_validate(dumped, strict=True)
        assert again == result
        # the JSON follows the order of each part's fields: built unvalidated, it must be the same order
        assert again.model_dump_json() == result.model_dump_json()


def test_long_lists_in_a_full_session() -> None:
    # a full session of enterprises with long lists: thousands of item facts in one durable-rules sid
    def hire(k: int) -> dict[str, Any]:
        return {"birth_date": f"{1995 + k % 12}-05-01", "hired_on": "2025-09-01", "registered_unemployed": k % 3 > 0,
                "contract_months": 12, "social_insurance_months": 6,
                "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}

    profiles = [parse_profile({**MANUFACTURER, "entity_type": "enterprise", "founded_on": "2024-01-01",
                               "hires": [hire(k + i) for k in range(60)],
                               "loans": [{"kind": "working_capital", "principal_yuan": 100_000}] * 30,
                               "procurement_contracts": [{"amount_yuan": 1000 + k, "prepayment_arranged": True}
                                                         for k in range(60)]})
                for i in range(ENTERPRISES_PER_SESSION)]
    together = evaluate_many(profiles, AS_OF)
    assert [r.model_dump(mode="json") for r in together] == [
        evaluate(p, AS_OF).model_dump(mode="json") for p in profiles]
    # M31: up to 1,000 yuan per qualifying hire, 30,000 in total: 60 qualifying hires reach the cap
    assert {r.by_measure("M31").amount.yuan for r in together} == {30000}
