"""Compile rules (``engine.rule_models``) into durable-rules rules.

Three-valued logic inside the Rete: for a condition, one rule fires when it is known to
hold and another when it is known to fail; when a fact it needs is absent, neither can
match (durable-rules matches no comparison on a missing attribute), so "unknown" is
simply "nothing fired". Negation is pushed to the leaves (De Morgan), which gives
exactly Kleene's logic: ``all`` fails as soon as one known part fails, ``any`` fails
only when every part is known to fail.

Facts (see ``engine.facts``): one ``ent`` fact, one fact per list item (``t`` = list
name, ``i`` = index), and derived facts ``{t: d, name, value}`` asserted by derivation
rules as they fire (forward chaining). Dates are YYYYMMDD integers and money integer
fen; a date that ages and durations count from comes with its anniversaries (``engine.dates``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from decimal import Decimal
from typing import Any

from engine.compiled import CompiledRule, or_last
from engine.dates import shifted
from engine.facts import fact_field, is_money_field
from engine.rule_models import COMPARATORS, Condition, Derived, FieldRef, Measure, Test
from engine.size_standard import SizeStandard

Term = dict[str, list[dict[str, Any]]]  # source -> constraints, all ANDed
ENT = "ent"
ITEM = "item"
DURABLE_OP = {"ge": "$gte", "gt": "$gt", "le": "$lte", "lt": "$lt", "ne": "$neq"}
FLIP = {"eq": "ne", "ne": "eq", "ge": "lt", "lt": "ge", "gt": "le", "le": "gt"}


# --- tags: what a firing means -------------------------------------------------------

def tag_met(measure_id: str) -> str:
    return f"{measure_id}|met"


def tag_fail(measure_id: str, condition_id: str) -> str:
    return f"{measure_id}|fail|{condition_id}"


def tag_ok(measure_id: str, condition_id: str) -> str:
    return f"{measure_id}|ok|{condition_id}"


def tag_item(measure_id: str) -> str:
    return f"{measure_id}|item"


def tag_item_fail(measure_id: str, condition_id: str) -> str:
    return f"{measure_id}|ifail|{condition_id}"


def tag_item_ok(measure_id: str, condition_id: str) -> str:
    return f"{measure_id}|iok|{condition_id}"


def tag_derived(name: str, value: str) -> str:
    return f"derived|{name}|{value}"


def derived_fact(tag: str, enterprise_key: int = 0) -> dict[str, Any]:
    """The derived fact a ``derived|name|value`` firing stands for (as item rules read it)."""
    _, name, value = tag.split("|", 2)
    return {"e": enterprise_key, "t": "d", "i": -1, "name": name, "value": value}


# --- negation -------------------------------------------------------------------------

def negate(test: Test) -> Test:
    """The test that holds exactly when ``test`` is known to be false."""
    if test.all is not None:
        return Test.model_validate({"any": [negate(t) for t in test.all]})
    if test.any is not None:
        return Test.model_validate({"all": [negate(t) for t in test.any]})
    subject = _subject(test)
    if test.in_ is not None:
        return Test.model_validate({"all": [{**subject, "ne": v} for v in test.in_]})
    if test.between is not None:
        low, high = test.between
        return Test.model_validate({"any": [{**subject, "lt": low}, {**subject, "gt": high}]})
    op, operand = _comparison(test)
    return Test.model_validate({**subject, FLIP[op]: operand})


def _subject(test: Test) -> dict[str, Any]:
    for key in ("field", "derived", "age", "elapsed_years"):
        value = getattr(test, key)
        if value is not None:
            return {key: value}
    raise ValueError("compound test has no single subject")


def _comparison(test: Test) -> tuple[str, Any]:
    for op in COMPARATORS:
        value = getattr(test, op)
        if value is not None:
            return op, value
    raise ValueError("test has no plain comparator")


# --- leaves to durable-rules JSON -----------------------------------------------------

def _value(field: str, value: Any) -> Any:
    if isinstance(value, dt.date):
        return int(value.strftime("%Y%m%d"))
    if is_money_field(field):
        return int(Decimal(str(value)) * 100)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _operand(field: str, operand: Any) -> Any:
    if isinstance(operand, FieldRef):
        return {"$m": fact_field(operand.field)}
    return _value(field, operand)


def _compare(name: str, op: str, rhs: Any) -> dict[str, Any]:
    if op == "eq":
        if isinstance(rhs, dict):
            return {"$and": [{"$gte": {name: rhs}}, {"$lte": {name: rhs}}]}
        return {name: rhs}
    return {DURABLE_OP[op]: {name: rhs}}


def _shifted(start: str, years: int) -> str:
    """The attribute holding ``start``'s anniversary ``years`` years on (``engine.dates``: from
    29 February, 28 February in a common year). The facts carry it (``BookIR.shifts``): plain
    YYYYMMDD arithmetic would make it a 29 February that does not exist."""
    return shifted(fact_field(start), years)


def _present(*fields: str) -> list[dict[str, Any]]:
    """The attributes must exist: durable-rules reads a missing attribute on the right-hand side
    of a comparison (``{"$m": …}``, arithmetic included) as 0, so without this guard an unknown
    birth date would look like a date long ago and make a condition fail instead of stay unknown.
    Placed before the comparison in the same ``$and``."""
    return _present_attributes(*(fact_field(name) for name in fields))


def _present_attributes(*attributes: str) -> list[dict[str, Any]]:
    return [{"$ex": {attribute: 1}} for attribute in attributes]


def _age(start: str, end: str, op: str, years: int) -> list[dict[str, Any]]:
    """周岁 reached on ``end`` by a person born on ``start``: age >= a iff end >= start + a years."""
    if op == "eq":
        return _age(start, end, "ge", years) + _age(start, end, "le", years)
    if op == "ne":
        raise ValueError("age ne: use any of lt/gt (compiled as separate rules)")
    shift, durable_op = {"ge": (years, "$gte"), "gt": (years + 1, "$gte"),
                         "lt": (years, "$lt"), "le": (years + 1, "$lt")}[op]
    anniversary = _shifted(start, shift)
    return [*_present_attributes(anniversary, fact_field(end)), {durable_op: {fact_field(end): {"$m": anniversary}}}]


def _elapsed(start: str, end: str, op: str, years: int) -> list[dict[str, Any]]:
    """Exact duration: "3年内" (le 3) holds up to and including the third anniversary."""
    anniversary = _shifted(start, years)
    return [*_present_attributes(anniversary, fact_field(end)),
            _compare(fact_field(end), op, {"$m": anniversary})]


def _and(exprs: list[dict[str, Any]]) -> dict[str, Any]:
    return exprs[0] if len(exprs) == 1 else {"$and": or_last(exprs)}


def _leaf(test: Test, context: str) -> list[Term]:
    if test.in_ is not None or test.between is not None:
        expanded = (
            {"any": [{**_subject(test), "eq": v} for v in test.in_]}
            if test.in_ is not None
            else {"all": [{**_subject(test), "ge": test.between[0]}, {**_subject(test), "le": test.between[1]}]}
        )
        return to_terms(Test.model_validate(expanded), context)
    op, operand = _comparison(test)
    if test.derived is not None:
        return [{f"d:{test.derived}": [_compare("value", op, operand)]}]
    if test.age is not None and op == "ne":
        years = int(operand)
        split = {"any": [{"age": test.age, "lt": years}, {"age": test.age, "gt": years}]}
        return to_terms(Test.model_validate(split), context)
    if test.age is not None:
        return [{context: _age(test.age[0], test.age[1], op, int(operand))}]
    if test.elapsed_years is not None:
        return [{context: _elapsed(test.elapsed_years[0], test.elapsed_years[1], op, int(operand))}]
    assert test.field is not None
    guard = _present(operand.field) if isinstance(operand, FieldRef) else []
    return [{context: [*guard, _compare(fact_field(test.field), op, _operand(test.field, operand))]}]


def _refers(marker: str, value: Any) -> bool:
    if isinstance(value, dict):
        return marker in value or any(_refers(marker, v) for v in value.values())
    if isinstance(value, list):
        return any(_refers(marker, v) for v in value)
    return False


def _merge(left: Term, right: Term) -> Term:
    merged = {source: list(exprs) for source, exprs in left.items()}
    for source, exprs in right.items():
        merged.setdefault(source, []).extend(exprs)
    return merged


def to_terms(test: Test, context: str) -> list[Term]:
    """Disjunctive normal form over fact sources: one durable-rules rule per term."""
    if test.all is not None:
        terms: list[Term] = [{}]
        for child in test.all:
            terms = [_merge(a, b) for a, b in itertools.product(terms, to_terms(child, context))]
        return terms
    if test.any is not None:
        children = [to_terms(child, context) for child in test.any]
        sources = {source for child in children for term in child for source in term}
        if len(sources) == 1 and all(len(child) == 1 for child in children) and not _refers("$m", children):
            # one fact source: an $or inside a single pattern keeps it to one rule. Never with
            # attribute references inside: durable-rules crashes on those when one is missing.
            (source,) = sources
            return [{source: [{"$or": [_and(child[0][source]) for child in children]}]}]
        return [term for child in children for term in child]
    return _leaf(test, context)


def _pattern(source: str, exprs: list[dict[str, Any]], item_list: str | None) -> tuple[str, dict[str, Any]]:
    exprs = or_last(exprs)
    if source == ENT:
        return "ent", {"$and": [{"t": "ent"}, *exprs]}
    if source == ITEM:
        assert item_list is not None
        return "item", {"$and": [{"t": item_list}, *exprs]}
    name = source.removeprefix("d:")
    return f"d_{name}", {"$and": [{"t": "d"}, {"name": name}, *exprs]}


def _rules_for(
    test: Test, tag: str, context: str, item_list: str | None = None, asserts: dict[str, Any] | None = None
) -> list[CompiledRule]:
    rules = []
    for term in to_terms(test, context):
        if item_list is not None:
            # an item rule always binds its item, even when a branch tests only enterprise facts
            term = {ITEM: [], **term}
        patterns = [dict([_pattern(source, exprs, item_list)]) for source, exprs in sorted(term.items())]
        rules.append(CompiledRule(tag=tag, when={"all": patterns}, asserts=asserts, per_item=ITEM in term))
    return rules


def _has_any(test: Test) -> bool:
    return test.any is not None or any(_has_any(child) for child in test.all or [])


def needs_ok_rule(condition: Condition) -> bool:
    """Whether "met" must be asked of the engine rather than read from the facts present.

    For a conjunction, "no fail rule fired and every field it reads is known" means met.
    An ``any`` can be met while one of its fields is unknown, and a grading condition
    (``gate: false``) is read on its own: both get a rule that fires when they hold.
    """
    return not condition.gate or _has_any(condition.test)


def compile_derived(derived: Derived, size: SizeStandard) -> list[CompiledRule]:
    rules: list[CompiledRule] = []
    for value in derived.values:
        fact = {"t": "d", "i": -1, "name": derived.name, "value": value.value}
        if derived.name == "industry_group":
            fact.update(size.group_attributes(value.value))  # the row the class rules read
        rules += _rules_for(value.when, tag_derived(derived.name, value.value), ENT, asserts=fact)
    return rules


def compile_measure(measure: Measure) -> list[CompiledRule]:
    rules: list[CompiledRule] = []
    gates = [c for c in measure.conditions if c.gate]
    if gates:
        conjunction = Test.model_validate({"all": [c.test for c in gates]})
        rules += _rules_for(conjunction, tag_met(measure.id), ENT)
    for condition in measure.conditions:
        rules += _rules_for(negate(condition.test), tag_fail(measure.id, condition.id), ENT)
        if needs_ok_rule(condition):
            rules += _rules_for(condition.test, tag_ok(measure.id, condition.id), ENT)
    if measure.items is not None:
        items = measure.items
        gates = [c for c in items.conditions if c.gate]
        conjunction = Test.model_validate({"all": [c.test for c in gates]})
        rules += _rules_for(conjunction, tag_item(measure.id), ITEM, items.list)
        for condition in items.conditions:
            rules += _rules_for(
                negate(condition.test), tag_item_fail(measure.id, condition.id), ITEM, items.list
            )
            if not condition.gate:
                # a grading condition decided item by item (a tier's `when`): known true or known false
                rules += _rules_for(condition.test, tag_item_ok(measure.id, condition.id), ITEM, items.list)
    return rules


def _fact_type(rule: CompiledRule) -> str:
    """The fact type a rule belongs to: ``ent``, or the list whose items it reads.

    Item rules may also read derived facts (they are asserted into every ruleset), but not
    the enterprise fact itself: items are evaluated apart from the enterprise.
    """
    types = {pattern[alias]["$and"][0]["t"] for pattern in rule.when["all"] for alias in pattern} - {"d"}
    items = types - {"ent"}
    if len(items) > 1 or (items and "ent" in types):
        raise ValueError(f"{rule.tag}: 逐项条件只能引用该项自身的字段和派生事实 / item rules read only their item")
    return items.pop() if items else "ent"


def compile_book(
    measures: tuple[Measure, ...], derived: tuple[Derived, ...], size: SizeStandard
) -> dict[str, dict[str, CompiledRule]]:
    """Rules grouped by the fact type they read (``ent`` with derived facts, or a list name)."""
    compiled: list[CompiledRule] = []
    for item in derived:
        compiled += compile_derived(item, size)
    compiled += size.compile_rules()
    for measure in measures:
        compiled += compile_measure(measure)
    by_type: dict[str, dict[str, CompiledRule]] = {}
    for n, rule in enumerate(_merge_identical(compiled)):
        by_type.setdefault(_fact_type(rule), {})[f"r{n}"] = rule
    return by_type


def _merge_identical(rules: list[CompiledRule]) -> list[CompiledRule]:
    """One rule for identical tests (e.g. "中小微企业" in twenty measures), firing all their tags.

    durable-rules costs per rule and per firing, and many measures share a condition.
    """
    merged: dict[str, CompiledRule] = {}
    for rule in rules:
        key = json.dumps([rule.when, rule.asserts, rule.per_item], sort_keys=True, ensure_ascii=False)
        first = merged.get(key)
        if first is None:
            merged[key] = rule
        elif rule.tag != first.tag and rule.tag not in first.also:
            merged[key] = dataclasses.replace(first, also=(*first.also, rule.tag))
    return list(merged.values())
