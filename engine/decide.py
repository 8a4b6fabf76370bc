"""Turn what fired in the Rete engine into each measure's status, reasons and missing facts.

The engine has already decided every condition: a ``fail`` rule fired (known false), an
``ok``/``met`` rule fired (known true), or nothing fired (unknown). This module reads those
states off the firings (and the paths to ask for off the facts present), following each
measure's plan (``engine.plan``); ``engine.verdict`` words them, as it does for the columnar
backend. What is the same for many enterprises is kept on the plan, never anything per
enterprise: the parts of a result that depend only on the locality, and a measure's whole
result when it reads nothing but the states of its conditions (see ``decide``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.compiled import Fired
from engine.facts import fact_field
from engine.loader import RuleBook
from engine.plan import (
    DECIDED_KEPT,
    ItemsPlan,
    LocalParts,
    MeasurePlan,
    Reads,
    TierPlan,
    amount_of,
    outside_validity,
    potential,
)
from engine.result import NO_AMOUNT, NO_NEAR_MISS, MeasureResult, Units, fields_in_order, trusted
from engine.size_standard import NOT_APPLICABLE_GROUP
from engine.verdict import FAILED, MET, UNKNOWN, Gate, ItemView, verdict


@dataclass(slots=True)
class Context:
    """One evaluation: the profile (as data), the facts, what fired, the derived values."""

    book: RuleBook
    profile: dict[str, Any]
    ent: dict[str, Any]
    items: dict[str, list[dict[str, Any]]]
    fired: dict[str, set[int]]  # rule tag -> item indexes it fired for (-1: the enterprise)
    derived: dict[str, str]
    local_units: tuple[str, ...]
    # paths to ask for, asked again by many measures: by Reads.key (enterprise level) or derived name
    missing_memo: dict[int | str, Sequence[str]] = field(init=False)

    def __post_init__(self) -> None:
        self.missing_memo = {}

    @classmethod
    def build(cls, book: RuleBook, profile: dict[str, Any], facts: list[dict[str, Any]],
              firings: Iterable[Fired], local_units: list[str]) -> Context:
        """``firings``: what fired for this enterprise, as the session reports it (tags, item, _)."""
        fired: dict[str, set[int]] = {}
        derived = {}
        for tags, item, _ in firings:
            for tag in tags:
                indexes = fired.get(tag)
                if indexes is None:
                    fired[tag] = {item}
                else:
                    indexes.add(item)
            if tags[0].startswith("derived|"):  # a derivation rule is never merged with another (it asserts)
                _, name, value = tags[0].split("|", 2)
                derived[name] = value
        items: dict[str, list[dict[str, Any]]] = {}
        for fact in facts[1:]:
            items.setdefault(fact["t"], []).append(fact)
        return cls(book, profile, facts[0], items, fired, derived, tuple(local_units))


def _missing_derived(name: str, ctx: Context) -> Sequence[str]:
    # the size class is read by many measures: its missing inputs are worked out once per evaluation
    missing = ctx.missing_memo.get(name)
    if missing is None:
        missing = ctx.missing_memo[name] = _derived_inputs_missing(name, ctx)
    return missing


def _derived_inputs_missing(name: str, ctx: Context) -> list[str]:
    """The inputs of a derived value to ask for (none once it is derived)."""
    if name in ctx.derived:
        return []
    if name == "industry_group":
        return ["industry_code"]
    if name == "size_class":
        group = ctx.derived.get("industry_group")
        if group is None:
            return ["industry_code"]
        if group == NOT_APPLICABLE_GROUP:
            return ["declared_size_class"]
        return [f for f in ctx.book.size_standard.fields_of(group) if fact_field(f) not in ctx.ent]
    spec = next(d for d in ctx.book.derived if d.name == name)
    return [f for f in spec.inputs if fact_field(f) not in ctx.ent]


def _asked_for(path: str, fact: dict[str, Any], ctx: Context, prefix: str) -> list[str]:
    """An unknown item field worked out from others (rules/derived/item_fields.yaml) is asked for
    through its unknown inputs: the form asks the payment record once, per insurance."""
    derivation = ctx.book.item_field(fact["t"], path) if prefix else None
    if derivation is None:
        return [prefix + path]
    return [prefix + name for name in derivation.inputs if fact_field(name) not in fact]


def _missing(reads: Reads, fact: dict[str, Any], ctx: Context, prefix: str = "") -> list[str]:
    """The paths to ask for, duplicates kept (``decide`` removes them once, at the end)."""
    missing = []
    for attribute, path in reads.fields:
        if attribute not in fact:
            missing += _asked_for(path, fact, ctx, prefix)
    for name in reads.derived:
        missing += _missing_derived(name, ctx)
    return missing or [prefix.rstrip(".") or "profile"]


def _local(plan: MeasurePlan, ctx: Context) -> LocalParts:
    local = plan.localities.get(ctx.local_units)
    if local is None:
        units = Units(city=plan.measure.units, local=list(ctx.local_units))
        template = fields_in_order(
            MeasureResult, status=None, amount=None, reasons=None, missing=None, potential_yuan=None,
            near_miss=NO_NEAR_MISS,  # engine.near_miss gives the measures with money their own
            **plan.static, units=units)
        local = plan.localities[ctx.local_units] = LocalParts(template)
    return local


def _template(plan: MeasurePlan, ctx: Context) -> dict[str, Any]:
    """A result with the parts that do not depend on the enterprise beyond its locality filled in.

    Shared: callers copy it (a dict copy is cheaper than building one) and fill in the rest.
    """
    return _local(plan, ctx).template


def _informational(plan: MeasurePlan, ctx: Context) -> MeasureResult:
    # the same for every enterprise of a locality: built once, into its row (``decide_all``), and shared
    return MeasureResult(status="informational", reasons=[plan.measure.summary], missing=[],
                         **plan.static, units=_local(plan, ctx).template["units"])


def cache_entries(book: RuleBook | None = None) -> int:
    """How many results and parts the plans of a book keep (bounded by measures × localities: for tests)."""
    from engine.loader import default_rules

    plans = (book or default_rules()).plans.values()
    return sum(len(p.by_count) + len(p.decided) + len(p.localities) for p in plans)


# --- deciding ---------------------------------------------------------------------------
# The states of the conditions are read off the firings here; engine.verdict words them.


def _gates(plan: MeasurePlan, ctx: Context) -> tuple[str, list[Gate]]:
    """The state of each gate condition of a measure that has some, and their Kleene AND."""
    status = MET
    states: list[Gate] = []
    fired, ent, derived, memo = ctx.fired, ctx.ent, ctx.derived, ctx.missing_memo
    for condition in plan.gates:  # ConditionPlan.state, inlined: the hottest loop of a decision
        if condition.fail_tag in fired:
            status = FAILED
            states.append(FAILED)
        elif condition.ok_tag in fired or (condition.presence_decides and ent.keys() >= condition.fact_fields
                                          and derived.keys() >= condition.derived):
            states.append(MET)
        else:
            if status == MET:
                status = UNKNOWN
            reads = condition.reads
            if reads.alone is not None and reads.alone[0] not in ent:
                paths = reads.alone[1]  # the one field read is not known (as _missing would say)
            else:
                # many measures ask for the same fields (e.g. of the size class): once per evaluation
                paths = memo.get(reads.key)
                if paths is None:
                    paths = memo[reads.key] = tuple(_missing(reads, ent, ctx))
            states.append(paths)
    if status == MET and plan.met_tag not in fired:
        # the per-condition view and the engine's own conjunction must agree
        raise AssertionError(f"{plan.measure.id}: conditions met but the engine's met rule did not fire")
    return status, states


def _item_views(rule: ItemsPlan, ctx: Context) -> Callable[[int], ItemView]:
    """Item i as the firings tell it: qualifying, failed (which gates), or what to ask for."""
    fired = ctx.fired
    qualifying = fired.get(rule.tag, ())
    failed = [(fired.get(tag, ()), sentence) for tag, sentence in rule.fail_tags]
    facts = ctx.items.get(rule.list, [])
    listed = ctx.profile.get(rule.list) or []

    def view(i: int) -> ItemView:
        if i in qualifying:
            return ItemView(True, (), ())
        sentences = [sentence for indexes, sentence in failed if i in indexes]
        if sentences:
            return ItemView(False, sentences, ())
        if not listed[i]:  # nothing is known of the item: it is asked for as a whole (a short answer)
            return ItemView(False, (), (f"{rule.list}[{i}]",))
        return ItemView(False, (), _missing(rule.reads, facts[i], ctx, f"{rule.list}[{i}]."))
    return view


def _tier_states(plan: MeasurePlan, ctx: Context) -> Callable[[TierPlan, int], Gate]:
    def state(tier: TierPlan, index: int) -> Gate:
        if tier.enterprise is not None:
            found = tier.enterprise.state(ctx.fired, ctx.ent, ctx.derived)
            return found if found != UNKNOWN else _missing(tier.enterprise.reads, ctx.ent, ctx)
        assert tier.item is not None and plan.items is not None
        if index in ctx.fired.get(tier.item.fail_tag, ()):
            return FAILED
        if index in ctx.fired.get(tier.item.ok_tag, ()):
            return MET
        fact = ctx.items[plan.items.list][index]
        return _missing(tier.item.reads, fact, ctx, f"{plan.items.list}[{index}].")
    return state


@dataclass(slots=True)
class Rows:
    """The measures of a book decided per enterprise, and per locality the row of results that is
    the same for every enterprise there (``RuleBook.rows``)."""

    decided: tuple[tuple[int, MeasurePlan], ...]  # the measures that are not informational, with their places
    # per locality (its local units): the book's results in order, the informational ones filled in
    # (the same for every enterprise there), None where ``decide`` decides per enterprise
    by_locality: dict[tuple[str, ...], list[MeasureResult | None]]

    @classmethod
    def of(cls, book: RuleBook) -> Rows:
        plans = enumerate(book.plans.values())
        return cls(tuple((index, plan) for index, plan in plans if not plan.informational), {})


def decide_all(ctx: Context) -> list[MeasureResult]:
    """The result of every measure of the book, in its order, for the enterprise of ``ctx``."""
    rows = ctx.book.rows
    row = rows.by_locality.get(ctx.local_units)
    if row is None:  # the first enterprise of a locality: its informational results, once
        row = rows.by_locality[ctx.local_units] = [
            _informational(plan, ctx) if plan.informational else None for plan in ctx.book.plans.values()]
    results = row.copy()  # every None is filled in below
    for index, plan in rows.decided:
        results[index] = decide(plan, ctx)
    return results


def decide(plan: MeasurePlan, ctx: Context) -> MeasureResult:
    """The result of the measure of ``plan`` for the enterprise of ``ctx`` (shared with other
    evaluations when it can only be the same: results are frozen). Not for an informational measure:
    its result is the same for every enterprise of a locality (``decide_all`` keeps it in the row)."""
    as_of = ctx.ent["as_of"]
    if not plan.valid_from <= as_of <= plan.valid_to:
        return _trusted({**_template(plan, ctx), "status": "ineligible", "amount": NO_AMOUNT,
                         "reasons": [outside_validity(plan.measure, as_of)], "missing": []})
    status, states = _gates(plan, ctx) if plan.gates else (MET, [])
    listed = ctx.profile.get(plan.items.list) if plan.items is not None else None
    if not plan.memoised or listed:
        return _result(plan, ctx, status, states, listed)
    # Nothing but the gates' states (and whether the list is unknown or empty) is read: the same
    # states give the same result, so it is kept and shared (results are frozen, never changed).
    signature = (ctx.local_units, listed is None, *states)
    kept = plan.decided.get(signature)
    if kept is None:
        kept = _result(plan, ctx, status, states, listed)
        if len(plan.decided) < DECIDED_KEPT:
            plan.decided[signature] = kept
    return kept


def _trusted(fields: dict[str, Any]) -> MeasureResult:
    """A result built from parts this module made with the right types, on a copy of the template
    (so in the model's field order): see ``engine.result.trusted``."""
    return trusted(MeasureResult, fields)


def _result(plan: MeasurePlan, ctx: Context, status: str, states: list[Gate],
            listed: list[dict[str, Any]] | None) -> MeasureResult:
    items = _item_views(plan.items, ctx) if listed else _no_items
    tiers = _tier_states(plan, ctx) if plan.tiers else _no_tiers
    found = verdict(plan, status, states, None if listed is None else len(listed), items, tiers)
    result = _template(plan, ctx).copy()
    result["status"] = found.status
    result["reasons"] = found.reasons
    result["missing"] = found.missing
    if found.status == "eligible":
        result["amount"] = amount_of(plan, listed, found.qualifying, found.percents)
    else:
        result["amount"] = NO_AMOUNT
    if found.status == "undetermined":
        counted = [listed[i] for i in found.possible] if plan.potential_list and listed else None
        result["potential_yuan"] = potential(plan.measure.amount, counted, True) if counted else plan.potential
    return _trusted(result)


def _no_items(i: int) -> ItemView:
    raise AssertionError("no item to view")


def _no_tiers(tier: TierPlan, index: int) -> Gate:
    raise AssertionError("a measure without tiers has no tier states")
