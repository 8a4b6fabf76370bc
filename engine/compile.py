"""Compile the rules' intermediate form (``engine.ir``) into durable-rules rules.

Three-valued logic inside the Rete: for a condition, one rule fires when it is known to
hold and another when it is known to fail (its tree negated by ``engine.ir.negate``); when a
fact it needs is absent, neither can match (durable-rules matches no comparison on a missing
attribute), so "unknown" is simply "nothing fired". Negation pushed to the leaves gives
exactly Kleene's logic: ``all`` fails as soon as one known part fails, ``any`` fails
only when every part is known to fail. The columnar backend reads the same trees.

Facts (see ``engine.facts``): one ``ent`` fact, one fact per list item (``t`` = list
name, ``i`` = index), and derived facts ``{t: d, name, value}`` asserted by derivation
rules as they fire (forward chaining). Dates are YYYYMMDD integers and money integer
fen; a date that ages and durations count from comes with its anniversaries (``engine.dates``).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from typing import Any

from engine.compiled import CompiledRule, or_last
from engine.dates import shifted
from engine.ir import All, Any_, Attr, BookIR, Compare, Derived, DerivedIR, MeasureIR, Node, Shifted, negate
from engine.rule_models import Condition, Test
from engine.size_standard import SizeStandard

Term = dict[str, list[dict[str, Any]]]  # source -> constraints, all ANDed
ENT = "ent"
ITEM = "item"
DURABLE_OP = {"ge": "$gte", "gt": "$gt", "le": "$lte", "lt": "$lt", "ne": "$neq"}


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


# --- leaves to durable-rules JSON -----------------------------------------------------

def _compare(name: str, op: str, rhs: Any) -> dict[str, Any]:
    if op == "eq":
        if isinstance(rhs, dict):
            return {"$and": [{"$gte": {name: rhs}}, {"$lte": {name: rhs}}]}
        return {name: rhs}
    return {DURABLE_OP[op]: {name: rhs}}


def _present(*attributes: str) -> list[dict[str, Any]]:
    """The attributes must exist: durable-rules reads a missing attribute on the right-hand side
    of a comparison (``{"$m": …}``, arithmetic included) as 0, so without this guard an unknown
    birth date would look like a date long ago and make a condition fail instead of stay unknown.
    Placed before the comparison in the same ``$and``."""
    return [{"$ex": {name: 1}} for name in attributes]


def _leaf(node: Compare, context: str) -> list[Term]:
    if isinstance(node.left, Derived):
        return [{f"d:{node.left.name}": [_compare("value", node.op, node.right)]}]
    name, right = node.left.name, node.right
    if isinstance(right, Shifted):
        # ages and "N年内": the facts carry each anniversary a rule needs, by the one date rule
        # (engine.dates: from 29 February, 28 February in a common year); the Rete only compares
        anniversary = shifted(right.name, right.years)
        return [{context: [*_present(anniversary, name), _compare(name, node.op, {"$m": anniversary})]}]
    if isinstance(right, Attr):
        return [{context: [*_present(right.name), _compare(name, node.op, {"$m": right.name})]}]
    return [{context: [_compare(name, node.op, right)]}]


def _and(exprs: list[dict[str, Any]]) -> dict[str, Any]:
    return exprs[0] if len(exprs) == 1 else {"$and": or_last(exprs)}


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


def to_terms(node: Node, context: str) -> list[Term]:
    """Disjunctive normal form over fact sources: one durable-rules rule per term."""
    if isinstance(node, All):
        terms: list[Term] = [{}]
        for child in node.parts:
            terms = [_merge(a, b) for a, b in itertools.product(terms, to_terms(child, context))]
        return terms
    if isinstance(node, Any_):
        children = [to_terms(child, context) for child in node.parts]
        sources = {source for child in children for term in child for source in term}
        if len(sources) == 1 and all(len(child) == 1 for child in children) and not _refers("$m", children):
            # one fact source: an $or inside a single pattern keeps it to one rule. Never with
            # attribute references inside: durable-rules crashes on those when one is missing.
            (source,) = sources
            return [{source: [{"$or": [_and(child[0][source]) for child in children]}]}]
        return [term for child in children for term in child]
    return _leaf(node, context)


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
    node: Node, tag: str, context: str, item_list: str | None = None, asserts: dict[str, Any] | None = None
) -> list[CompiledRule]:
    rules = []
    for term in to_terms(node, context):
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


def compile_derived(derived: DerivedIR, size: SizeStandard) -> list[CompiledRule]:
    rules: list[CompiledRule] = []
    for value, node in derived.values:
        fact = {"t": "d", "i": -1, "name": derived.name, "value": value}
        carries: tuple[str, ...] = ()
        if derived.name == "industry_group":
            # the row and the enterprise's figures the class rules compare (SizeStandard.compile_rules)
            fact.update(size.group_attributes(value))
            carries = size.carried()
            if clash := set(carries) & set(fact):
                raise ValueError(f"行业组别事实的属性重名 / the group fact's attributes clash: {sorted(clash)}")
        rules += [dataclasses.replace(rule, carries=carries)
                  for rule in _rules_for(node, tag_derived(derived.name, value), ENT, asserts=fact)]
    return rules


def compile_measure(measure: MeasureIR) -> list[CompiledRule]:
    rules: list[CompiledRule] = []
    if measure.gates:
        rules += _rules_for(All(tuple(c.node for c in measure.gates)), tag_met(measure.id), ENT)
    rule_conditions = {c.id: c for c in measure.measure.conditions}
    for condition in measure.conditions:
        rules += _rules_for(negate(condition.node), tag_fail(measure.id, condition.id), ENT)
        if needs_ok_rule(rule_conditions[condition.id]):
            rules += _rules_for(condition.node, tag_ok(measure.id, condition.id), ENT)
    if measure.items is not None:
        items = measure.items
        rules += _rules_for(items.qualifies, tag_item(measure.id), ITEM, items.list)
        for condition in items.conditions:
            rules += _rules_for(negate(condition.node), tag_item_fail(measure.id, condition.id), ITEM, items.list)
            if not condition.gate:
                # a grading condition decided item by item (a tier's `when`): known true or known false
                rules += _rules_for(condition.node, tag_item_ok(measure.id, condition.id), ITEM, items.list)
    return rules


def _fact_type(rule: CompiledRule) -> str:
    """The fact type a rule belongs to: ``ent``, or the list whose items it reads.

    Item rules may also read derived facts, but not the enterprise fact itself: items are
    evaluated apart from the enterprise.
    """
    types = {pattern[alias]["$and"][0]["t"] for pattern in rule.when["all"] for alias in pattern} - {"d"}
    items = types - {"ent"}
    if len(items) > 1 or (items and "ent" in types):
        raise ValueError(f"{rule.tag}: 逐项条件只能引用该项自身的字段和派生事实 / item rules read only their item")
    return items.pop() if items else "ent"


def compile_book(book: BookIR) -> dict[str, CompiledRule]:
    """Every rule of the book, by rule name, for one ruleset: the enterprise's, the derived facts'
    and the items' rules see all the facts of a run at once, so the facts derived along the way
    (forward chaining) reach the item rules that read them in the same run.

    The size class is derived by the size standard's own shape rules (``SizeStandard.compile_rules``:
    33 rules reading the group's row and the enterprise's figures off the group fact, far fewer
    than its trees would need)."""
    compiled: list[CompiledRule] = []
    for derived in book.derived:
        if derived.name != "size_class":
            compiled += compile_derived(derived, book.size)
    compiled += book.size.compile_rules()
    for measure in book.measures:
        compiled += compile_measure(measure)
    merged = _merge_identical(compiled)
    for rule in merged:
        _fact_type(rule)  # raises on a rule that joins an item with the enterprise or another list
    return {f"r{n}": rule for n, rule in enumerate(merged)}


def _merge_identical(rules: list[CompiledRule]) -> list[CompiledRule]:
    """One rule for identical tests (e.g. "中小微企业" in twenty measures), firing all their tags.

    durable-rules costs per rule and per firing, and many measures share a condition.
    """
    merged: dict[str, CompiledRule] = {}
    for rule in rules:
        key = json.dumps([rule.when, rule.asserts, rule.per_item, rule.carries], sort_keys=True, ensure_ascii=False)
        first = merged.get(key)
        if first is None:
            merged[key] = rule
        elif rule.tag != first.tag and rule.tag not in first.also:
            merged[key] = dataclasses.replace(first, also=(*first.also, rule.tag))
    return list(merged.values())
