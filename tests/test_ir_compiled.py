"""The compiled trees (each node's ``evaluate``) mean exactly what ``truth`` means, for every tree of the rules."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.evaluate import evaluate, parse_profile
from engine.facts import build_facts
from engine.ir import truth
from engine.loader import default_rules
from tests.strategies import profiles

IR = default_rules().ir


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles, as_of=st.dates(dt.date(2018, 1, 1), dt.date(2030, 12, 31)))
def test_compiled_trees_agree_with_truth(data: dict[str, Any], as_of: dt.date) -> None:
    facts = build_facts(parse_profile(data).model_dump(exclude_none=True), as_of)
    derived = IR.derive(facts[0])
    trees = [node for spec in IR.derived for _, node in spec.values]
    for measure in IR.measures:
        trees += [c.node for c in measure.conditions]
        if measure.items is not None:
            trees += [c.node for c in measure.items.conditions]
    for fact in facts:
        for node in trees:
            assert node.evaluate(fact, derived) == truth(node, fact, derived), node


def test_a_pickled_book_means_the_same() -> None:
    """A book sent to another process (pickled) rebuilds its compiled trees and near-miss measures on
    loading, and evaluates to the same result, near misses included."""
    book = default_rules()
    as_of = dt.date(2026, 1, 15)
    profile = parse_profile({
        "employees": 40, "industry_code": "C3911", "revenue_yuan": 30_000_000, "entity_type": "enterprise",
        "hires": [{"birth_date": "2001-05-01", "hired_on": "2025-07-01", "registered_unemployed": True,
                   "contract_months": 11, "social_insurance_months": 3}],
    })
    before = evaluate(profile, as_of, book)  # the book's IR and near-miss measures are built and used
    assert any(r.near_miss for r in before.results)
    copy = pickle.loads(pickle.dumps(book))
    assert copy.money_measures[0] is not book.money_measures[0]
    assert evaluate(profile, as_of, copy).model_dump_json() == before.model_dump_json()
