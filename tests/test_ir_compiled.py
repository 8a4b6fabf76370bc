"""The compiled trees (each node's ``evaluate``) mean exactly what ``truth`` means, for every tree of the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.evaluate import parse_profile
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
