"""The intermediate form means what the Rete rules do, condition by condition.

For random valid profiles (every field and list, each present or absent) and dates, every
derived value, every enterprise condition and every item condition is given the same
three-valued answer by ``engine.ir.truth`` as by the durable-rules firings: a ``fail`` rule
fired exactly when the tree is known false, an ``ok``/``met`` rule exactly when it is known true.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.compile import needs_ok_rule, tag_fail, tag_item, tag_item_fail, tag_item_ok, tag_met, tag_ok
from engine.evaluate import _fire, parse_profile
from engine.facts import build_facts
from engine.ir import All, Any_, Attr, Compare, Derived, Shifted, lower, negate, reads, truth
from engine.loader import default_rules
from engine.rule_models import Test as RuleTest
from tests.strategies import profiles

BOOK = default_rules()
IR = BOOK.ir
as_of_dates = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2030, 12, 31))


def _fired(facts: list[dict[str, Any]]) -> tuple[dict[str, set[int]], dict[str, str]]:
    fired: dict[str, set[int]] = {}
    derived: dict[str, str] = {}
    for tags, item, _ in _fire(BOOK, [facts])[0]:
        for tag in tags:
            fired.setdefault(tag, set()).add(item)
            if tag.startswith("derived|"):
                _, name, value = tag.split("|", 2)
                derived[name] = value
    return fired, derived


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles, as_of=as_of_dates)
def test_truth_agrees_with_the_rete_rules(data: dict[str, Any], as_of: dt.date) -> None:
    profile = parse_profile(data)
    facts = build_facts(profile.model_dump(exclude_none=True), as_of, plan=BOOK.fact_plan)
    fired, derived = _fired(facts)
    ent = facts[0]
    assert IR.derive(ent) == derived
    for measure in IR.measures:
        for condition in measure.conditions:
            value = truth(condition.node, ent, derived)
            where = f"{measure.id}.{condition.id}"
            assert (tag_fail(measure.id, condition.id) in fired) == (value is False), where
            rule = BOOK.measure(measure.id).conditions
            if needs_ok_rule(next(c for c in rule if c.id == condition.id)):
                assert (tag_ok(measure.id, condition.id) in fired) == (value is True), where
        if measure.gates:
            met = truth(All(tuple(c.node for c in measure.gates)), ent, derived)
            assert (tag_met(measure.id) in fired) == (met is True), measure.id
        if measure.items is None:
            continue
        items = [f for f in facts[1:] if f["t"] == measure.items.list]
        gates = All(tuple(c.node for c in measure.items.gates))
        for index, item in enumerate(items):
            where = f"{measure.id} {measure.items.list}[{index}]"
            qualifies = truth(gates, item, derived) is True
            assert (index in fired.get(tag_item(measure.id), set())) == qualifies, where
            for condition in measure.items.conditions:
                value = truth(condition.node, item, derived)
                assert (index in fired.get(tag_item_fail(measure.id, condition.id), set())) == (value is False), where
                if not condition.gate:
                    ok = index in fired.get(tag_item_ok(measure.id, condition.id), set())
                    assert ok == (value is True), where


def test_between_is_both_ends_included_and_age_is_whole_years() -> None:
    node = lower(RuleTest.model_validate({"age": ["birth_date", "hired_on"], "between": [16, 24]}))
    assert node == All((Compare(Attr("hired_on"), "ge", Shifted("birth_date", 16)),
                        Compare(Attr("hired_on"), "lt", Shifted("birth_date", 25))))
    born = 20080515
    assert truth(node, {"birth_date": born, "hired_on": 20240514}, {}) is False  # one day short of 16
    assert truth(node, {"birth_date": born, "hired_on": 20240515}, {}) is True  # 16th birthday
    assert truth(node, {"birth_date": born, "hired_on": 20330514}, {}) is True  # the last day of 24
    assert truth(node, {"birth_date": born, "hired_on": 20330515}, {}) is False  # 25th birthday
    assert truth(node, {"hired_on": 20330515}, {}) is None  # birth date unknown


def test_kleene_all_and_any() -> None:
    known_false = Compare(Attr("x"), "eq", 1)
    unknown = Compare(Attr("missing"), "eq", 1)
    fact = {"x": 2}
    assert truth(All((known_false, unknown)), fact, {}) is False
    assert truth(Any_((known_false, unknown)), fact, {}) is None
    assert truth(Any_((negate(known_false), unknown)), fact, {}) is True
    assert truth(negate(All((known_false, unknown))), fact, {}) is True


def test_money_and_dates_are_typed_as_the_facts_carry_them() -> None:
    node = lower(RuleTest.model_validate({"field": "revenue_yuan", "lt": 3_000_000}))
    assert node == Compare(Attr("revenue_fen"), "lt", 300_000_000)
    node = lower(RuleTest.model_validate({"field": "held_on", "ge": dt.date(2025, 1, 1)}))
    assert node == Compare(Attr("held_on"), "ge", 20250101)


def test_reads_name_each_fact_once() -> None:
    m31 = IR.measure("M31")
    entity = next(c for c in m31.conditions if c.id == "entity")
    assert entity.reads.derived == ("size_class",)
    assert set(entity.reads.attributes) == {"entity_type", "as_of", "founded_on"}
    assert reads(Compare(Derived("size_class"), "eq", "small")).derived == ("size_class",)


def test_size_class_trees_read_the_standard() -> None:
    # 工业: small needs 20 people and 300 万元 revenue; micro is below either (工信部联企业〔2011〕300号)
    assert IR.derive({"industry_section": "C", "industry_division": "C39", "employees": 20,
                      "revenue_fen": 300 * 10_000 * 100}) == {"industry_group": "工业", "size_class": "small"}
    assert IR.derive({"industry_section": "C", "industry_division": "C39", "employees": 19}) == {
        "industry_group": "工业", "size_class": "micro"}
    assert IR.derive({"industry_section": "C", "industry_division": "C39", "employees": 20}) == {
        "industry_group": "工业"}  # revenue unknown: small or micro cannot be told apart
