"""Turn what fired in the Rete engine into each measure's status, reasons and missing facts.

The engine has already decided every condition: a ``fail`` rule fired (known false), an
``ok``/``met`` rule fired (known true), or nothing fired (unknown). This module only
combines them (Kleene AND), picks the qualifying items, and words the explanation.

It runs for every measure of every evaluation, so each measure is first turned into a
``_MeasurePlan`` (tags, texts, fields read: everything that does not depend on the
enterprise), built once per rule object; ``decide`` then only reads the plan. What is the
same for many enterprises is kept, never anything per enterprise: the parts of a result
that depend only on the locality, and a measure's whole result when it reads nothing but
the states of its conditions (see ``decide``).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, KeysView, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from engine import amounts
from engine.compile import needs_ok_rule, tag_fail, tag_item, tag_item_fail, tag_item_ok, tag_met, tag_ok
from engine.compiled import Fired
from engine.dates import from_yyyymmdd, yyyymmdd
from engine.facts import fact_field
from engine.loader import RuleBook
from engine.result import NO_AMOUNT, NO_NEAR_MISS, AmountResult, MeasureResult, Units
from engine.rule_models import Amount, Condition, ItemRule, Measure, Test
from engine.size_standard import NOT_APPLICABLE_GROUP
from engine.validity import not_in_force

MET, FAILED, UNKNOWN = "met", "failed", "unknown"
T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class Context:
    """One evaluation: the profile (as data), the facts, what fired, the derived values."""

    book: RuleBook
    profile: dict[str, Any]
    ent: dict[str, Any]
    items: dict[str, list[dict[str, Any]]]
    fired: dict[str, set[int]]  # rule tag -> item indexes it fired for (-1: the enterprise)
    derived: dict[str, str]
    local_units: list[str]
    locality: _Locality = field(init=False)  # what is shared by the enterprises of local_units
    known: KeysView[str] = field(init=False)  # the enterprise fact's attributes
    # paths to ask for, asked again by many measures: by id(_Reads) (enterprise level) or derived name
    missing_memo: dict[int | str, Sequence[str]] = field(init=False)

    def __post_init__(self) -> None:
        local = tuple(self.local_units)
        self.locality = _LOCALITIES.get(local) or _LOCALITIES.setdefault(local, _Locality(next(_NUMBERS)))
        self.known = self.ent.keys()
        self.missing_memo = {}

    @classmethod
    def build(cls, book: RuleBook, profile: dict[str, Any], facts: list[dict[str, Any]],
              firings: Iterable[Fired], local_units: list[str]) -> Context:
        """``firings``: what fired for this enterprise, as the session reports it (tags, item, _)."""
        fired: dict[str, set[int]] = {}
        derived = {}
        for tags, item, _ in firings:
            for tag in tags:
                fired.setdefault(tag, set()).add(item)
                if tag.startswith("derived|"):
                    _, name, value = tag.split("|", 2)
                    derived[name] = value
        items: dict[str, list[dict[str, Any]]] = {}
        for fact in facts[1:]:
            items.setdefault(fact["t"], []).append(fact)
        return cls(book, profile, facts[0], items, fired, derived, local_units)


@dataclass(slots=True)
class _Locality:
    """The parts of results that are the same for every enterprise of one locality (its local
    units), by id() of the measure: only measures kept alive by _MEASURE_PLANS are entered."""

    number: int  # unique (even when threads race to add one): part of the keys of _MeasurePlan.decided
    informational: dict[int, MeasureResult] = field(default_factory=dict)  # whole results, shared
    templates: dict[int, dict[str, Any]] = field(default_factory=dict)  # see _template


# the localities seen: a handful (each district, each zone, none)
_LOCALITIES: dict[tuple[str, ...], _Locality] = {}
_NUMBERS = itertools.count()


# --- what a test needs ----------------------------------------------------------------

_BY_IDENTITY: dict[tuple[str, int], tuple[object, Any]] = {}


def _per_rule_object(fn: Callable[[T], R]) -> Callable[[T], R]:
    """Cache a pure function of a (frozen, long-lived) rule object by identity.

    Rule models hold lists, so they cannot be hashed; the object is kept in the cache so
    its id() is never reused while the entry lives.
    """
    def cached(obj: T) -> R:
        key = (fn.__name__, id(obj))
        hit = _BY_IDENTITY.get(key)
        if hit is None:
            hit = _BY_IDENTITY[key] = (obj, fn(obj))
        return hit[1]  # type: ignore[return-value]
    return cached


@_per_rule_object
def references(test: Test) -> tuple[list[str], list[str]]:
    """(profile field paths, derived names) a test reads."""
    fields: list[str] = []
    derived: list[str] = []
    for child in (test.all or []) + (test.any or []):
        f, d = references(child)  # type: ignore[misc]
        fields += f
        derived += d
    if test.field is not None:
        fields.append(test.field)
    for pair in (test.age, test.elapsed_years):
        if pair is not None:
            fields += [name for name in pair if name != "as_of"]
    for operand in (test.eq, test.ne, test.ge, test.gt, test.le, test.lt):
        if getattr(operand, "field", None) and operand.field != "as_of":  # type: ignore[union-attr]
            fields.append(operand.field)  # type: ignore[union-attr]
    if test.derived is not None:
        derived.append(test.derived)
    return fields, derived


PROFILE_FIELD_OF_LEVEL = {
    "industry_section": "industry_code", "industry_division": "industry_code",
    "industry_group_code": "industry_code", "industry_class": "industry_code",
}


class _Reads(NamedTuple):
    """What a test reads, in the two spellings the hot path needs."""

    fields: tuple[tuple[str, str], ...]  # (fact attribute, profile path to ask for), in test order
    derived: tuple[str, ...]
    alone: tuple[str, tuple[str]] | None  # (attribute, (path,)) when it reads that field only


_SAME_READS: dict[_Reads, _Reads] = {}  # one object per distinct value: the memo below keys by id()


@_per_rule_object
def _reads(test: Test) -> _Reads:
    fields, derived = references(test)
    pairs = tuple((fact_field(f), PROFILE_FIELD_OF_LEVEL.get(f, f)) for f in fields)
    alone = (pairs[0][0], (pairs[0][1],)) if len(pairs) == 1 and not derived else None
    reads = _Reads(pairs, tuple(derived), alone)
    return _SAME_READS.setdefault(reads, reads)


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


def _missing(reads: _Reads, fact: dict[str, Any], ctx: Context, prefix: str = "") -> list[str]:
    """The paths to ask for, duplicates kept (``decide`` removes them once, at the end)."""
    missing = []
    for attribute, path in reads.fields:
        if attribute not in fact:
            missing += _asked_for(path, fact, ctx, prefix)
    for name in reads.derived:
        missing += _missing_derived(name, ctx)
    return missing or [prefix.rstrip(".") or "profile"]


# --- the plan of a measure, built once per rule object ----------------------------------

class _Condition(NamedTuple):
    """One enterprise condition, as the hot path reads it."""

    fail_tag: str
    ok_tag: str
    presence_decides: bool  # no ok rule: known fields and no failure mean "met"
    fact_fields: frozenset[str]
    derived: frozenset[str]
    met: str
    failed: str
    reads: _Reads


def _condition(measure: Measure, condition: Condition) -> _Condition:
    reads = _reads(condition.test)
    return _Condition(
        tag_fail(measure.id, condition.id), tag_ok(measure.id, condition.id), not needs_ok_rule(condition),
        frozenset(attribute for attribute, _ in reads.fields), frozenset(reads.derived),
        condition.met, condition.failed, reads,
    )


def _state(condition: _Condition, ctx: Context) -> str:
    fired = ctx.fired
    if condition.fail_tag in fired:
        return FAILED
    if condition.ok_tag in fired:
        return MET
    if condition.presence_decides and ctx.ent.keys() >= condition.fact_fields \
            and ctx.derived.keys() >= condition.derived:
        return MET
    return UNKNOWN


class _ItemCondition(NamedTuple):
    """An item condition that grades (a tier's ``when``), decided item by item."""

    fail_tag: str
    ok_tag: str
    met: str
    failed: str
    unknown: str
    reads: _Reads


class _Items(NamedTuple):
    """The item rule of a measure: which list, its tags, and its sentences."""

    list: str
    tag: str  # fires per item when every gate holds
    fail_tags: tuple[tuple[str, str], ...]  # (tag, failed sentence) of each gate condition
    qualified: str  # "<n><qualified>": "2 名新招用人员符合条件（…）"
    none_qualified: str
    incomplete: str  # "hires[0]<incomplete>": why an undecided item still matters
    reads: _Reads  # of the gates' conjunction: the missing paths of an undecided item
    graders: dict[str, _ItemCondition]


def _items(measure: Measure, rule: ItemRule) -> _Items:
    gates = [c for c in rule.conditions if c.gate]
    phrases = "、".join(dict.fromkeys(c.phrase for c in gates))
    gain = "可能增加金额" if measure.amount.kind != "none" else "可能也符合条件"
    conjunction = Test.model_validate({"all": [c.test for c in gates]})
    graders = {
        c.id: _ItemCondition(tag_item_fail(measure.id, c.id), tag_item_ok(measure.id, c.id), c.met, c.failed,
                             f"信息不全，尚不能确定适用的比例（{c.phrase}）", _reads(c.test))
        for c in rule.conditions
    }
    return _Items(
        rule.list, tag_item(measure.id), tuple((tag_item_fail(measure.id, c.id), c.failed) for c in gates),
        f" {rule.noun}符合条件（{phrases}）", f"没有符合条件的{rule.noun.lstrip('名份笔场项个次起')}",
        f" 信息不全，补全后{gain}", _reads(conjunction), graders,
    )


class _Tier(NamedTuple):
    percent: Decimal
    enterprise: _Condition | None  # the `when` condition, when enterprise-level
    item: _ItemCondition | None  # the `when` condition, when decided per item


@dataclass(slots=True)
class _MeasurePlan:
    """Everything about a measure that does not depend on the enterprise."""

    measure: Measure  # kept: the plan is cached by its id()
    informational: bool
    valid_from: int  # YYYYMMDD bounds of the validity window (open ends as 0 / 99999999)
    valid_to: int
    gates: tuple[_Condition, ...]
    met_tag: str
    conditions: dict[str, _Condition]
    items: _Items | None
    share: bool
    tiers: tuple[_Tier, ...]
    amount_reads: str  # FIXED, COUNT or ITEMS: see _amount_reads
    fixed_amount: AmountResult | None  # when FIXED
    potential_list: str | None  # the item list the potential is counted on, if any
    potential: Decimal | None  # the potential when that list is unknown or empty (or there is none)
    static: dict[str, Any]
    by_count: dict[int, AmountResult] = field(default_factory=dict)  # when COUNT: at most COUNTS_KEPT
    memoised: bool = False  # see _memoised
    decided: dict[tuple[Any, ...], MeasureResult] = field(default_factory=dict)  # see decide: at most DECIDED_KEPT


FIXED, COUNT, ITEMS = "fixed", "count", "items"
COUNTS_KEPT = 32  # amounts kept per measure for 0..31 qualifying items (larger counts are computed)
DECIDED_KEPT = 256  # results kept per measure (see decide); past that, results are worked out each time


def _amount_reads(rule: Amount) -> str:
    """What ``amounts.compute`` reads for this rule besides the rule itself (see its branches)."""
    if rule.kind == "none" or (rule.kind != "share" and rule.annual_rate_percent is None
                               and rule.item_field is None and not rule.per_item):
        return FIXED
    if rule.kind != "share" and rule.annual_rate_percent is None and rule.item_field is None:
        return COUNT  # per item, a fixed sum each: n × yuan
    return ITEMS


def _tiers(measure: Measure, conditions: dict[str, _Condition], items: _Items | None) -> tuple[_Tier, ...]:
    tiers = []
    for tier in measure.amount.tiers:
        if tier.when is None or tier.when in conditions:
            tiers.append(_Tier(tier.percent, conditions.get(tier.when or ""), None))
        else:
            assert items is not None
            tiers.append(_Tier(tier.percent, None, items.graders[tier.when]))
    return tuple(tiers)


def _potential_list(rule: Amount, items: _Items | None) -> str | None:
    if rule.kind in ("none", "share") or rule.annual_rate_percent is not None or items is None:
        return None
    return items.list if rule.item_field is not None or (rule.yuan is not None and rule.per_item) else None


def _potential(rule: Amount, listed: list[dict[str, Any]] | None, has_items: bool) -> Decimal | None:
    """What an undetermined measure could bring, to order the questions by money."""
    if rule.kind in ("none", "share") or rule.annual_rate_percent is not None:
        return None
    if rule.item_field is not None:
        return sum((Decimal(str(i.get(rule.item_field) or 0)) for i in listed or []), Decimal(0)) or None
    if rule.yuan is None:
        return None
    count = max(len(listed or []), 1) if rule.per_item and has_items else 1
    total = rule.yuan * count
    return min(total, rule.cap_yuan) if rule.cap_yuan is not None else total


def _memoised(measure: Measure, amount_reads: str) -> bool:
    """Whether a result can be kept by the state of the gates (see decide): when nothing else is read.

    With an item list that is unknown or empty the measure cannot be eligible (so neither its
    amount nor its tiers are read); without one, an eligible measure's amount must read nothing.
    """
    return measure.items is not None or amount_reads == FIXED


def _build_plan(measure: Measure) -> _MeasurePlan:
    conditions = {c.id: _condition(measure, c) for c in measure.conditions}
    items = _items(measure, measure.items) if measure.items is not None else None
    rule = measure.amount
    reads = _amount_reads(rule)
    window = measure.validity
    return _MeasurePlan(
        measure=measure, informational=measure.kind == "informational",
        valid_from=yyyymmdd(window.from_) if window.from_ is not None else 0,
        valid_to=yyyymmdd(window.to) if window.to is not None else 99_999_999,
        gates=tuple(conditions[c.id] for c in measure.conditions if c.gate), met_tag=tag_met(measure.id),
        conditions=conditions, items=items, share=rule.kind == "share",
        tiers=_tiers(measure, conditions, items), amount_reads=reads,
        fixed_amount=amounts.compute(rule, [], "") if reads == FIXED else None,
        potential_list=_potential_list(rule, items), potential=_potential(rule, None, items is not None),
        memoised=_memoised(measure, reads),
        static={
            "measure": measure.id, "title": measure.title, "text": measure.text, "kind": measure.kind,
            "auto_match": measure.auto_match, "how_to_apply": measure.how_to_apply,
            "notes": [measure.reading] if measure.reading else [],
        },
    )


_MEASURE_PLANS: dict[int, _MeasurePlan] = {}  # id(measure) -> plan (the plan keeps the measure alive)


def _plan_of(measure: Measure) -> _MeasurePlan:
    plan = _MEASURE_PLANS.get(id(measure))
    if plan is None:
        plan = _MEASURE_PLANS[id(measure)] = _build_plan(measure)
    return plan


def _template(plan: _MeasurePlan, ctx: Context) -> dict[str, Any]:
    """A result with the parts that do not depend on the enterprise beyond its locality filled in.

    Shared: callers copy it (a dict copy is cheaper than building one) and fill in the rest.
    """
    template = ctx.locality.templates.get(id(plan.measure))  # kept alive by _MEASURE_PLANS
    if template is None:
        units = Units(city=plan.measure.units, local=list(ctx.local_units))
        template = ctx.locality.templates[id(plan.measure)] = {
            "status": None, "amount": None, "reasons": None, "missing": None, "potential_yuan": None,
            "near_miss": NO_NEAR_MISS,  # engine.near_miss gives the measures with money their own
            **plan.static, "units": units,
        }
    return template


def _informational(plan: _MeasurePlan, ctx: Context) -> MeasureResult:
    # the same for every enterprise of a locality: built once and shared (results are frozen)
    result = ctx.locality.informational.get(id(plan.measure))
    if result is None:
        result = ctx.locality.informational[id(plan.measure)] = MeasureResult(
            status="informational", reasons=[plan.measure.summary], missing=[],
            **plan.static, units=_template(plan, ctx)["units"])
    return result


def cache_entries() -> int:
    """How many entries decide's caches hold (bounded by rule objects × localities: for tests)."""
    return (len(_BY_IDENTITY) + len(_SAME_READS) + len(_MEASURE_PLANS) + len(_LOCALITIES)
            + sum(len(p.by_count) + len(p.decided) for p in _MEASURE_PLANS.values())
            + sum(len(x.informational) + len(x.templates) for x in _LOCALITIES.values()))


# --- deciding -------------------------------------------------------------------------
# The verdict is built in plain lists (reasons, missing, failures) owned by ``_result``; the
# helpers add to them and return the status so far (Kleene AND: failed > unknown > met).

Gate = str | Sequence[str]  # the state of a gate condition: MET, FAILED, or the paths to ask for


def _gates(plan: _MeasurePlan, ctx: Context) -> tuple[str, list[Gate]]:
    """The state of each gate condition of a measure that has some, and their Kleene AND."""
    status = MET
    states: list[Gate] = []
    known, memo = ctx.known, ctx.missing_memo
    for condition in plan.gates:
        state = _state(condition, ctx)
        if state == FAILED:
            status = FAILED
            states.append(FAILED)
        elif state == MET:
            states.append(MET)
        else:
            if status == MET:
                status = UNKNOWN
            reads = condition.reads
            if reads.alone is not None and reads.alone[0] not in known:
                paths = reads.alone[1]  # the one field read is not known (as _missing would say)
            else:
                # many measures ask for the same fields (e.g. of the size class): once per evaluation
                paths = memo.get(id(reads))
                if paths is None:
                    paths = memo[id(reads)] = tuple(_missing(reads, ctx.ent, ctx))
            states.append(paths)
    if status == MET and plan.met_tag not in ctx.fired:
        # the per-condition view and the engine's own conjunction must agree
        raise AssertionError(f"{plan.measure.id}: conditions met but the engine's met rule did not fire")
    return status, states


def _enterprise(plan: _MeasurePlan, states: list[Gate], reasons: list[str], missing: list[str],
                failures: list[str]) -> None:
    for condition, state in zip(plan.gates, states, strict=True):
        if state == MET:
            reasons.append(condition.met)
        elif state == FAILED:
            reasons.append(condition.failed)
            failures.append(condition.failed)
        else:
            missing += state


def _item_verdict(rule: _Items, listed: list[dict[str, Any]] | None, ctx: Context, status: str,
                  reasons: list[str], missing: list[str], failures: list[str]) -> tuple[str, list[int]]:
    """Add the items' sentences; return the status so far and the indexes of the qualifying items."""
    if listed is None:
        missing.append(rule.list)
        return (FAILED if status == FAILED else UNKNOWN), []
    if not listed:  # known: none (no item fact, so no item rule can have fired)
        reasons.append(rule.none_qualified)
        failures.append(rule.none_qualified)
        return FAILED, []
    fired = ctx.fired
    qualifying = sorted(fired.get(rule.tag, ()))
    failed: dict[int, list[str]] = {}
    for tag, sentence in rule.fail_tags:
        for i in fired.get(tag, ()):
            failed.setdefault(i, []).append(sentence)
    unknown = [i for i in range(len(listed)) if i not in qualifying and i not in failed]
    told_from = len(reasons)  # where the items' sentences start
    if qualifying:
        reasons.append(f"{len(qualifying)}{rule.qualified}")
    for i in sorted(failed):
        reasons.append(f"{rule.list}[{i}]：{'；'.join(failed[i])}")
    if unknown:
        facts = ctx.items.get(rule.list, [])
        for i in unknown:
            if listed[i]:
                missing += _missing(rule.reads, facts[i], ctx, f"{rule.list}[{i}].")
            else:  # nothing is known of the item: it is asked for as a whole (a short answer for a long list)
                missing.append(f"{rule.list}[{i}]")
            if qualifying:
                reasons.append(f"{rule.list}[{i}]{rule.incomplete}")
    if qualifying:
        return status, qualifying
    if unknown:
        return (FAILED if status == FAILED else UNKNOWN), qualifying
    reasons.insert(told_from, rule.none_qualified)
    failures.append(rule.none_qualified)
    return FAILED, qualifying


def _percents(
    plan: _MeasurePlan, ctx: Context, reasons: list[str], missing: list[str], qualifying: list[int]
) -> tuple[list[int], list[Decimal]] | None:
    """The percent of each qualifying item: the first tier whose condition holds.

    A tier's condition is enterprise-level (the same answer for every item) or an item
    condition (decided per item). An item whose tier cannot be decided yet is set aside
    as unknown; ``None`` when no item is left with a known percent (the measure is then
    undetermined, when it has tiers).
    """
    rule = plan.measure.amount
    if not plan.tiers:
        return (qualifying, [rule.percent] * len(qualifying)) if rule.percent is not None else None
    kept: list[int] = []
    percents: list[Decimal] = []
    for index in qualifying:
        percent = _tier_percent(plan, ctx, reasons, missing, index)
        if percent is not None:
            kept.append(index)
            percents.append(percent)
    return (kept, percents) if kept else None


def _tier_percent(plan: _MeasurePlan, ctx: Context, reasons: list[str], missing: list[str],
                  index: int) -> Decimal | None:
    for tier in plan.tiers:
        if tier.enterprise is not None:
            condition: _Condition | _ItemCondition = tier.enterprise
            state, fact, prefix, where = _state(tier.enterprise, ctx), ctx.ent, "", ""
            unknown = tier.enterprise.failed  # an enterprise condition's `failed` already covers it
        elif tier.item is not None:
            assert plan.items is not None
            condition = tier.item
            state = _item_state(tier.item, ctx, index)
            fact = ctx.items[plan.items.list][index]
            prefix, where = f"{plan.items.list}[{index}].", f"{plan.items.list}[{index}]："
            unknown = tier.item.unknown
        else:
            return tier.percent
        if state == MET:
            reasons.append(where + condition.met)
            return tier.percent
        if state == FAILED:
            reasons.append(where + condition.failed)
            continue
        reasons.append(where + unknown)
        missing += _missing(condition.reads, fact, ctx, prefix)
        return None
    return None


def _item_state(condition: _ItemCondition, ctx: Context, index: int) -> str:
    if index in ctx.fired.get(condition.fail_tag, ()):
        return FAILED
    if index in ctx.fired.get(condition.ok_tag, ()):
        return MET
    return UNKNOWN


def _amount(plan: _MeasurePlan, ctx: Context, qualifying: list[int], percents: list[Decimal] | None) -> AmountResult:
    if plan.fixed_amount is not None:
        return plan.fixed_amount
    measure = plan.measure
    if measure.amount.once:
        qualifying = qualifying[:1]
    if plan.amount_reads == COUNT:
        amount = plan.by_count.get(len(qualifying))
        if amount is not None:
            return amount
    items = plan.items
    listed = ctx.profile.get(items.list) or [] if items is not None else []
    chosen = [listed[i] for i in qualifying]
    amount = amounts.compute(measure.amount, chosen, measure.items.unit if measure.items else "", percents, qualifying)
    if plan.amount_reads == COUNT and len(qualifying) < COUNTS_KEPT:
        plan.by_count[len(qualifying)] = amount  # frozen, so shared like the informational results
    return amount


def _unique(values: list[str]) -> list[str]:
    """``values`` without repeats, first occurrence kept. Repeats are rare: checked cheaply first."""
    if len(values) < 2 or len(set(values)) == len(values):
        return values
    return list(dict.fromkeys(values))


def _failures_first(failures: list[str], reasons: list[str]) -> list[str]:
    """The reasons of an ineligible measure: why it fails first, then the rest, without repeats."""
    if failures == reasons:  # often: every reason is a failure (every failure is also a reason)
        return _unique(failures)
    return list(dict.fromkeys(failures + reasons))


def decide(measure: Measure, ctx: Context) -> MeasureResult:
    """The result of ``measure`` for the enterprise of ``ctx`` (shared with other evaluations when
    it can only be the same: results are frozen)."""
    key = id(measure)
    shared = ctx.locality.informational.get(key)
    if shared is not None:
        return shared
    plan = _MEASURE_PLANS.get(key) or _plan_of(measure)
    if plan.informational:
        return _informational(plan, ctx)
    as_of = ctx.ent["as_of"]
    if not plan.valid_from <= as_of <= plan.valid_to:
        return _trusted({**_template(plan, ctx), "status": "ineligible", "amount": NO_AMOUNT,
                         "reasons": [not_in_force(measure.validity, from_yyyymmdd(as_of))], "missing": []})
    status, states = _gates(plan, ctx) if plan.gates else (MET, [])
    listed = ctx.profile.get(plan.items.list) if plan.items is not None else None
    if not plan.memoised or listed:
        return _result(plan, ctx, status, states, listed)
    # Nothing but the gates' states (and whether the list is unknown or empty) is read: the same
    # states give the same result, so it is kept and shared (results are frozen, never changed).
    signature = (ctx.locality.number, listed is None, *states)
    kept = plan.decided.get(signature)
    if kept is None:
        kept = _result(plan, ctx, status, states, listed)
        if len(plan.decided) < DECIDED_KEPT:
            plan.decided[signature] = kept
    return kept


def _trusted(fields: dict[str, Any]) -> MeasureResult:
    """A result built from parts this module made with the right types: validating it again
    cost about a third of a batch evaluation. tests/test_evaluate_many.py re-validates results."""
    return MeasureResult.model_construct(**fields)


def _result(plan: _MeasurePlan, ctx: Context, status: str, states: list[Gate],
            listed: list[dict[str, Any]] | None) -> MeasureResult:
    reasons: list[str] = []
    missing: list[str] = []
    failures: list[str] = []  # the reasons that make it fail, told first
    _enterprise(plan, states, reasons, missing, failures)
    qualifying: list[int] = []
    if plan.items is not None:
        status, qualifying = _item_verdict(plan.items, listed, ctx, status, reasons, missing, failures)
    percents: list[Decimal] | None = None
    if status == MET and plan.share:
        graded = _percents(plan, ctx, reasons, missing, qualifying)
        if graded is not None:
            qualifying, percents = graded
        elif plan.tiers:
            status = UNKNOWN
    result = _template(plan, ctx).copy()
    if status == MET:
        result["status"] = "eligible"
        result["amount"] = _amount(plan, ctx, qualifying, percents)
        result["reasons"] = _unique(reasons)
        result["missing"] = _unique(missing)
    elif status == FAILED:
        result["status"] = "ineligible"
        result["amount"] = NO_AMOUNT
        # an ineligible measure opens with why it fails, not with the conditions it meets
        result["reasons"] = _failures_first(failures, reasons)
        result["missing"] = []
    else:
        result["status"] = "undetermined"
        result["amount"] = NO_AMOUNT
        result["reasons"] = _unique(reasons)
        result["missing"] = _unique(missing)
        counted = ctx.profile.get(plan.potential_list) if plan.potential_list else None
        result["potential_yuan"] = _potential(plan.measure.amount, counted, True) if counted else plan.potential
    return _trusted(result)
