"""Which unknown facts can still change which measure, and the money riding on each.

Read off the intermediate form (``engine.ir``) with its three-valued meaning, never per
measure by hand: a fact matters to a measure when it is read in a part of the measure's
conditions that is still unknown and not already settled. In an ``All`` with a part known to
fail nothing matters; in an ``Any`` with a part known to hold nothing matters; otherwise
every unknown part matters, recursively. Known values never change when more facts are
given (Kleene's logic is monotone), so a measure with a failed gate, an empty list or only
failing items is settled for good.

The facts are the profile's own paths: an enterprise field (``employees``), a whole list
before its items (``hires``: absent is unknown, an empty list is "known: none"), one item's
field (``hires[0].contract_months``), and the inputs of a derived fact (the size class asks
for the figures of the enterprise's industry group, ``BookIR.derived_inputs``). A fact the
user declined to give (不清楚 / 跳过) is ``declined``: never asked again, and a comparison that
needs it can no longer be decided, so it makes no other fact matter.

Money at stake: what the measure could still bring through that fact. An enterprise-level
fact carries the measure's whole potential (each item that still may qualify, or one item
for a list not told yet; the total cap applies); an item's fact carries that item's part
(within what is left under the cap). Shares (a prepayment, a reserved share of a tender) and
amounts not known yet carry no money, but the fact still matters.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from engine.facts import build_facts, fact_field
from engine.ir import (
    All,
    Any_,
    Attr,
    BookIR,
    Compare,
    Derived,
    Key,
    MeasureIR,
    Node,
    Shifted,
    constant_key,
    profile_path,
    truth,
)
from engine.loader import RuleBook
from engine.rule_models import Amount

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Opening:
    """One unknown fact that can change one measure's status or amount."""

    path: str  # "employees", "hires", "hires[0].contract_months"
    measure: str
    money: bool  # the measure brings money (exact or up to), not a share or a service
    yuan: Decimal  # money at stake for this measure through this fact (0 when not money or not known yet)


@dataclass(slots=True)
class Situation:
    """What is known of one enterprise, as the trees read it."""

    ir: BookIR
    ent: dict[str, Any]  # the enterprise fact (engine.facts)
    items: dict[str, list[dict[str, Any]]]  # item facts per list; a list absent from it is unknown
    derived: dict[str, str]
    declined: Collection[str]  # paths the user declined to give
    # (list, attribute) -> input attributes of an item fact worked out from others when not given
    # (rules/derived/item_fields.yaml): it is asked for through its inputs
    worked_out: Mapping[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    profile: Mapping[str, Any] = field(default_factory=dict)  # the profile itself (model_dump, no None)
    # what the Rete rules fired for it (rule tag -> item indexes, ``engine.decide.Context.fired``):
    # the near-miss answers read the conditions' states off it; None: evaluate them on the trees
    fired: Mapping[str, Collection[int]] | None = None

    @classmethod
    def of(cls, book: RuleBook, dump: Mapping[str, Any], as_of: dt.date,
           declined: Collection[str] = ()) -> Situation:
        """``dump``: ``Profile.model_dump(exclude_none=True)``."""
        facts = build_facts(dict(dump), as_of, plan=book.fact_plan)
        items: dict[str, list[dict[str, Any]]] = {name: [] for name, value in dump.items() if isinstance(value, list)}
        for fact in facts[1:]:
            items[fact["t"]].append(fact)
        return cls(book.ir, facts[0], items, book.ir.derive(facts[0]), declined, book.fact_plan.worked_out, dump)

    def has(self, path: str) -> bool:
        """Whether an enterprise-level profile field is known."""
        if path == "industry_code":
            return "industry_section" in self.ent
        return fact_field(path) in self.ent


# --- the trees: which open facts a node still depends on ---------------------------------

def _attribute_names(node: Compare) -> Iterator[str]:
    for operand in (node.left, node.right):
        if isinstance(operand, (Attr, Shifted)):
            yield operand.name


def depends_on(node: Node, fact: Mapping[str, Any], where: Situation, prefix: str = "") -> list[str]:
    """The open facts (profile paths) whose answers can still settle ``node`` for ``fact``.

    ``prefix`` names the item (``hires[0].``) whose fact it is; derived facts are read on the
    enterprise, so their inputs carry no prefix. Empty when the node is known, or stuck on a
    fact the user declined.
    """
    if node.evaluate(fact, where.derived) is not None:
        return []
    if isinstance(node, Compare):
        return _compare_depends_on(node, fact, where, prefix)
    repeated = [key for key in node.repeated if _open_key(key, fact, where, prefix)]
    if repeated:
        return _enumerated(node, repeated, fact, where, prefix)
    paths: list[str] = []
    for part in node.parts:  # none is settled (else the node would be known): each unknown part counts
        paths += depends_on(part, fact, where, prefix)
    return paths


# --- trees that read one fact in several places ------------------------------------------
# The walk above is exact when every fact is read once (each unknown leaf can then turn out
# either way). A fact compared in several leaves can make a part impossible: with 首违 known,
# M50's "轻微且无危害 或 首违且危害轻微或无" holds for every 危害 that the first branch allows, so
# 轻微 cannot matter. Such a tree is decided by trying each kind of value of the repeated facts
# (each constant it is compared with, its neighbours, one other) with each unknown leaf true or
# false: a fact matters when changing it alone changes the tree's value for some of them. The
# tree keeps what was found, by the state it was asked in (``cases``, at most CASES_KEPT).

OTHER = "\x00other"  # a value equal to no constant of the rules
MAX_CASES = 4096  # beyond that the plain walk is used (it may ask one question too many, never one too few)
CASES_KEPT = 1024


def _representatives(constants: tuple[Any, ...]) -> tuple[Any, ...]:
    values: list[Any] = []
    for constant in constants:
        if isinstance(constant, bool):
            values += [True, False]
        elif isinstance(constant, (int, float)):
            values += [constant - 1, constant, constant + 1]
        else:
            values.append(constant)
    return tuple(dict.fromkeys([*values, OTHER]))


def _open_key(key: Key, fact: Mapping[str, Any], where: Situation, prefix: str) -> bool:
    kind, name = key
    if kind == "a":
        path = profile_path(name)
        return name not in fact and path is not None and prefix + path not in where.declined
    return name not in where.derived and bool(_derived_paths(name, where))


def _derived_paths(name: str, where: Situation) -> list[str]:
    return [p for p in where.ir.derived_inputs(name, where.derived) if not where.has(p) and p not in where.declined]


def _kleene(node: Node, fact: Mapping[str, Any], derived: Mapping[str, str], fixed: Mapping[int, bool],
            places: Iterator[int]) -> bool | None:
    """The node's value with the leaves at the ``fixed`` places (``places``: of its leaves, in order) set."""
    if isinstance(node, Compare):
        place = next(places)
        return fixed[place] if place in fixed else truth(node, fact, derived)
    values = [_kleene(part, fact, derived, fixed, places) for part in node.parts]
    settle, other = (False, True) if isinstance(node, All) else (True, False)
    if settle in values:
        return settle
    return None if None in values else other


def _enumerated(node: All | Any_, repeated: list[Key], fact: Mapping[str, Any], where: Situation,
                prefix: str) -> list[str]:
    reads = {key for key in repeated}
    truths = tuple(truth(leaf, fact, where.derived) for leaf in node.leaves)
    free = [i for i, leaf in enumerate(node.leaves) if constant_key(leaf) not in reads and truths[i] is None
            and _compare_depends_on(leaf, fact, where, prefix)]
    state = (tuple(repeated), truths, tuple(free))
    found = node.cases.get(state)
    if found is None:
        found = _decide_by_cases(node, repeated, free, fact, where)
        if len(node.cases) < CASES_KEPT:
            node.cases[state] = found
    keys, leaves = found
    paths: list[str] = []
    for kind, name in repeated:
        if (kind, name) in keys:
            paths += [prefix + profile_path(name)] if kind == "a" else _derived_paths(name, where)  # type: ignore[operator]
    for i in free:
        if i in leaves:
            paths += _compare_depends_on(node.leaves[i], fact, where, prefix)
    return paths


def _decide_by_cases(node: All | Any_, repeated: list[Key], free: list[int], fact: Mapping[str, Any],
                     where: Situation) -> tuple[frozenset[Key], frozenset[int]]:
    """Which repeated facts and which free leaves (by place) can change the node's value (see above)."""
    choices: list[tuple[Any, ...]] = [_representatives(node.repeated[key]) for key in repeated]
    choices += [(True, False)] * len(free)
    cases = 1
    for options in choices:
        cases *= len(options)
    if cases > MAX_CASES:
        return frozenset(repeated), frozenset(free)
    outcome: dict[tuple[Any, ...], bool | None] = {}
    for case in itertools.product(*choices):
        values, flags = case[:len(repeated)], case[len(repeated):]
        facts = dict(fact)
        derived = dict(where.derived)
        for (kind, name), value in zip(repeated, values, strict=True):
            (facts if kind == "a" else derived)[name] = value
        fixed = dict(zip(free, flags, strict=True))
        outcome[case] = _kleene(node, facts, derived, fixed, itertools.count())
    mattering = set()
    for position in range(len(choices)):
        seen: dict[tuple[Any, ...], bool | None] = {}
        for case, value in outcome.items():
            rest = case[:position] + case[position + 1:]
            if rest in seen and seen[rest] != value:
                mattering.add(position)
                break
            seen.setdefault(rest, value)
    keys = frozenset(repeated[i] for i in mattering if i < len(repeated))
    leaves = frozenset(free[i - len(repeated)] for i in mattering if i >= len(repeated))
    return keys, leaves


def _compare_depends_on(node: Compare, fact: Mapping[str, Any], where: Situation, prefix: str) -> list[str]:
    paths: list[str] = []
    for name in _attribute_names(node):
        if name in fact:
            continue
        inputs = where.worked_out.get((prefix.split("[")[0], name), (name,)) if prefix else (name,)
        for attribute in inputs:
            path = profile_path(attribute)
            if attribute in fact:
                continue
            if path is None or prefix + path in where.declined:
                return []  # cannot be decided by anything the user may still say
            paths.append(prefix + path)
    for operand in (node.left, node.right):
        if isinstance(operand, Derived) and operand.name not in where.derived:
            inputs = [p for p in where.ir.derived_inputs(operand.name, where.derived)
                      if not where.has(p) and p not in where.declined]
            if not inputs:
                return []
            paths += inputs
    return paths


# --- money ---------------------------------------------------------------------------------

def brings_money(rule: Amount) -> bool:
    return rule.kind in ("exact", "up_to")


def counts_items(rule: Amount) -> bool:
    """Whether the amount adds up per qualifying item (so one more item can add money)."""
    return not rule.once and (rule.per_item or rule.item_field is not None)


def item_yuan(rule: Amount, item: Mapping[str, Any] | None) -> Decimal:
    """What one item brings (0 when it is not money or its figures are not known yet)."""
    if not brings_money(rule):
        return ZERO
    if rule.item_field is not None:
        base = None if item is None else item.get(fact_field(rule.item_field))
        if base is None:
            return ZERO
        value = Decimal(base) / 100
        if rule.annual_rate_percent is not None:
            term = None if item is None else item.get("term_months")
            if term is None or rule.max_months is None:
                return ZERO
            months = min(int(term), rule.max_months)
            return (value * rule.annual_rate_percent / 100 * months / 12).quantize(CENT)
        return value
    return rule.yuan or ZERO


def _capped(total: Decimal, rule: Amount) -> Decimal:
    return min(total, rule.cap_yuan) if rule.cap_yuan is not None else total


# --- measures ------------------------------------------------------------------------------

@dataclass(slots=True)
class ItemsState:
    """The items of a measure's list: known or not, which qualify, which may."""

    known: bool
    qualifying: list[int]
    unknown: list[int]

    @property
    def truth(self) -> bool | None:
        if not self.known:
            return None
        if self.qualifying:
            return True
        return None if self.unknown else False


def items_state(measure: MeasureIR, where: Situation) -> ItemsState | None:
    if measure.items is None:
        return None
    listed = where.items.get(measure.items.list)
    if listed is None:
        return ItemsState(False, [], [])
    qualifies = measure.items.qualifies.evaluate
    qualifying, unknown = [], []
    for index, item in enumerate(listed):
        value = qualifies(item, where.derived)
        if value is True:
            qualifying.append(index)
        elif value is None:
            unknown.append(index)
    return ItemsState(True, qualifying, unknown)


def in_force(measure: MeasureIR, where: Situation) -> bool:
    return measure.valid_from <= where.ent["as_of"] <= measure.valid_to


def measure_openings(measure: MeasureIR, where: Situation) -> dict[str, Decimal]:
    """The open facts that can change ``measure``, each with the money at stake through it.

    A condition stuck on a declined fact keeps the measure from ever applying: its other facts
    then matter only because they can still make it fail, with no money at stake.
    """
    if measure.informational or not in_force(measure, where):
        return {}
    gates = [(c, c.node.evaluate(where.ent, where.derived)) for c in measure.gates]
    if any(value is False for _, value in gates):
        return {}
    state = items_state(measure, where)
    if state is not None and state.truth is False:
        return {}
    gate_paths = [depends_on(c.node, where.ent, where) for c, value in gates if value is None]
    stuck = any(not paths for paths in gate_paths)
    item_paths: dict[int, list[str]] = {}  # an unknown item -> its open facts
    if state is not None:
        assert measure.items is not None
        name = measure.items.list
        if not state.known:
            stuck = stuck or name in where.declined
        else:
            for index in state.unknown:
                item_paths[index] = depends_on(measure.items.qualifies, where.items[name][index], where,
                                               f"{name}[{index}].")
            stuck = stuck or (not state.qualifying and not any(item_paths.values()))
    openings: dict[str, Decimal] = {}
    potential = ZERO
    if state is not None:
        potential = _items_openings(measure, state, where, item_paths, stuck, openings)
    elif brings_money(measure.amount):
        potential = measure.amount.yuan or ZERO
    for paths in gate_paths:
        for path in paths:
            openings[path] = max(openings.get(path, ZERO), ZERO if stuck else potential)
    if state is not None and measure.amount.tiers and not stuck:
        _tier_openings(measure, state, where, openings)
    return openings


def _items_openings(measure: MeasureIR, state: ItemsState, where: Situation, item_paths: dict[int, list[str]],
                    stuck: bool, openings: dict[str, Decimal]) -> Decimal:
    """Add the openings of the items; return the measure's potential (for its enterprise facts)."""
    assert measure.items is not None
    rule, name = measure.amount, measure.items.list
    money = brings_money(rule) and not stuck

    def add(index: int, stake: Decimal) -> None:
        for path in item_paths.get(index, ()):
            openings[path] = max(openings.get(path, ZERO), stake if money else ZERO)

    if not state.known:
        one = _capped(item_yuan(rule, None), rule) if counts_items(rule) else (rule.yuan or ZERO)
        if name not in where.declined:
            openings[name] = one if money else ZERO
        return one if money else ZERO
    listed = where.items[name]
    if not counts_items(rule):
        # one qualifying item settles it; until then each item may bring the whole amount
        whole = (rule.yuan or ZERO) if money else ZERO
        if not state.qualifying:
            for index in state.unknown:
                add(index, whole)
        return whole
    earned = sum((item_yuan(rule, listed[i]) for i in state.qualifying), ZERO)
    room = None if rule.cap_yuan is None else max(ZERO, rule.cap_yuan - earned)
    if state.qualifying and (stuck or room == 0):
        return _capped(earned, rule)  # the amount cannot grow (capped, or never paid): no item matters
    for index in state.unknown:
        stake = item_yuan(rule, listed[index])
        add(index, stake if room is None else min(stake, room))
    return _capped(earned + sum((item_yuan(rule, listed[i]) for i in state.unknown), ZERO), rule)


def _tier_openings(measure: MeasureIR, state: ItemsState, where: Situation, openings: dict[str, Decimal]) -> None:
    """A share's percent is the first tier whose condition holds: an undecided one matters."""
    assert measure.items is not None
    name = measure.items.list
    by_id = {c.id: (c, False) for c in measure.conditions} | {c.id: (c, True) for c in measure.items.conditions}
    for index in state.qualifying:
        item = where.items[name][index]
        for tier in measure.amount.tiers:
            if tier.when is None:
                break
            condition, per_item = by_id[tier.when]
            fact, prefix = (item, f"{name}[{index}].") if per_item else (where.ent, "")
            value = truth(condition.node, fact, where.derived)
            if value is True:
                break
            if value is None:
                for path in depends_on(condition.node, fact, where, prefix):
                    openings.setdefault(path, ZERO)
                break


def openings(where: Situation) -> list[Opening]:
    """Every (open fact, measure) pair where the fact can change the measure, in measure order."""
    found = []
    for measure in where.ir.measures:
        money = brings_money(measure.amount)
        for path, yuan in measure_openings(measure, where).items():
            found.append(Opening(path, measure.id, money, yuan if money else ZERO))
    return found
