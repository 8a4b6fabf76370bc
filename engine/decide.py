"""Turn what fired in the Rete engine into each measure's status, reasons and missing facts.

The engine has already decided every condition: a ``fail`` rule fired (known false), an
``ok``/``met`` rule fired (known true), or nothing fired (unknown). This module only
combines them (Kleene AND), picks the qualifying items, and words the explanation.

It runs for every measure of every evaluation, so each measure is first turned into a
``MeasurePlan`` (tags, texts, fields read: everything that does not depend on the
enterprise), built once per rule book (``RuleBook.plans``); ``decide`` then only reads the
plan. What is the same for many enterprises is kept on the plan, never anything per
enterprise: the parts of a result that depend only on the locality, and a measure's whole
result when it reads nothing but the states of its conditions (see ``decide``). The
wording itself is ``engine.verdict``'s, shared with the columnar backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, KeysView, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from engine import amounts
from engine.compile import needs_ok_rule, tag_fail, tag_item, tag_item_fail, tag_item_ok, tag_met, tag_ok
from engine.compiled import Fired
from engine.facts import fact_field, yyyymmdd
from engine.loader import RuleBook
from engine.result import NO_AMOUNT, AmountResult, MeasureResult, Units
from engine.rule_models import Amount, Condition, ItemRule, Measure, Test
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
    known: KeysView[str] = field(init=False)  # the enterprise fact's attributes
    # paths to ask for, asked again by many measures: by Reads.key (enterprise level) or derived name
    missing_memo: dict[int | str, Sequence[str]] = field(init=False)

    def __post_init__(self) -> None:
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
        return cls(book, profile, facts[0], items, fired, derived, tuple(local_units))


# --- what a test needs ----------------------------------------------------------------

def references(test: Test) -> tuple[list[str], list[str]]:
    """(profile field paths, derived names) a test reads."""
    fields: list[str] = []
    derived: list[str] = []
    for child in (test.all or []) + (test.any or []):
        f, d = references(child)
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


class Reads(NamedTuple):
    """What a test reads, in the two spellings the hot path needs."""

    fields: tuple[tuple[str, str], ...]  # (fact attribute, profile path to ask for), in test order
    derived: tuple[str, ...]
    alone: tuple[str, tuple[str]] | None  # (attribute, (path,)) when it reads that field only
    key: int  # the same for equal reads of one book: many conditions read the same (the size class)


def _reads(test: Test, seen: dict[tuple[Any, ...], Reads]) -> Reads:
    fields, derived = references(test)
    pairs = tuple((fact_field(f), PROFILE_FIELD_OF_LEVEL.get(f, f)) for f in fields)
    alone = (pairs[0][0], (pairs[0][1],)) if len(pairs) == 1 and not derived else None
    value = (pairs, tuple(derived), alone)
    found = seen.get(value)
    if found is None:
        found = seen[value] = Reads(*value, key=len(seen))
    return found


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


def _missing(reads: Reads, fact: dict[str, Any], ctx: Context, prefix: str = "") -> list[str]:
    """The paths to ask for, duplicates kept (``decide`` removes them once, at the end)."""
    missing = []
    for attribute, path in reads.fields:
        if attribute not in fact:
            missing.append(prefix + path)
    for name in reads.derived:
        missing += _missing_derived(name, ctx)
    return missing or [prefix.rstrip(".") or "profile"]


# --- the plan of a measure, built once per rule object ----------------------------------

class _Condition(NamedTuple):
    """One enterprise condition, as the hot path reads it."""

    id: str
    fail_tag: str
    ok_tag: str
    presence_decides: bool  # no ok rule: known fields and no failure mean "met"
    fact_fields: frozenset[str]
    derived: frozenset[str]
    met: str
    failed: str
    reads: Reads


def _condition(measure: Measure, condition: Condition, seen: dict[tuple[Any, ...], Reads]) -> _Condition:
    reads = _reads(condition.test, seen)
    return _Condition(
        condition.id, tag_fail(measure.id, condition.id), tag_ok(measure.id, condition.id),
        not needs_ok_rule(condition),
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

    id: str
    fail_tag: str
    ok_tag: str
    met: str
    failed: str
    unknown: str
    reads: Reads


class _Items(NamedTuple):
    """The item rule of a measure: which list, its tags, and its sentences."""

    list: str
    tag: str  # fires per item when every gate holds
    fail_tags: tuple[tuple[str, str], ...]  # (tag, failed sentence) of each gate condition
    qualified: str  # "<n><qualified>": "2 名新招用人员符合条件（…）"
    none_qualified: str
    incomplete: str  # "hires[0]<incomplete>": why an undecided item still matters
    reads: Reads  # of the gates' conjunction: the missing paths of an undecided item
    graders: dict[str, _ItemCondition]


def _items(measure: Measure, rule: ItemRule, seen: dict[tuple[Any, ...], Reads]) -> _Items:
    gates = [c for c in rule.conditions if c.gate]
    phrases = "、".join(dict.fromkeys(c.phrase for c in gates))
    gain = "可能增加金额" if measure.amount.kind != "none" else "可能也符合条件"
    conjunction = Test.model_validate({"all": [c.test for c in gates]})
    graders = {
        c.id: _ItemCondition(c.id, tag_item_fail(measure.id, c.id), tag_item_ok(measure.id, c.id), c.met, c.failed,
                             f"信息不全，尚不能确定适用的比例（{c.phrase}）", _reads(c.test, seen))
        for c in rule.conditions
    }
    return _Items(
        rule.list, tag_item(measure.id), tuple((tag_item_fail(measure.id, c.id), c.failed) for c in gates),
        f" {rule.noun}符合条件（{phrases}）", f"没有符合条件的{rule.noun.lstrip('名份笔场项个次起')}",
        f" 信息不全，补全后{gain}", _reads(conjunction, seen), graders,
    )


class _Tier(NamedTuple):
    percent: Decimal
    enterprise: _Condition | None  # the `when` condition, when enterprise-level
    item: _ItemCondition | None  # the `when` condition, when decided per item


@dataclass(slots=True)
class MeasurePlan:
    """Everything about a measure that does not depend on the enterprise."""

    measure: Measure
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
    localities: dict[tuple[str, ...], _Local] = field(default_factory=dict)  # by local units: a handful


@dataclass(slots=True)
class _Local:
    """The parts of a measure's results that are the same for every enterprise of one locality."""

    template: dict[str, Any]  # see _template
    informational: MeasureResult | None = None  # the whole result of an informational measure


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


def potential(rule: Amount, listed: list[dict[str, Any]] | None, has_items: bool) -> Decimal | None:
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


def _build_plan(measure: Measure, seen: dict[tuple[Any, ...], Reads]) -> MeasurePlan:
    conditions = {c.id: _condition(measure, c, seen) for c in measure.conditions}
    items = _items(measure, measure.items, seen) if measure.items is not None else None
    rule = measure.amount
    reads = _amount_reads(rule)
    window = measure.validity
    return MeasurePlan(
        measure=measure, informational=measure.kind == "informational",
        valid_from=yyyymmdd(window.from_) if window.from_ is not None else 0,
        valid_to=yyyymmdd(window.to) if window.to is not None else 99_999_999,
        gates=tuple(conditions[c.id] for c in measure.conditions if c.gate), met_tag=tag_met(measure.id),
        conditions=conditions, items=items, share=rule.kind == "share",
        tiers=_tiers(measure, conditions, items), amount_reads=reads,
        fixed_amount=amounts.compute(rule, [], "") if reads == FIXED else None,
        potential_list=_potential_list(rule, items), potential=potential(rule, None, items is not None),
        memoised=_memoised(measure, reads),
        static={
            "measure": measure.id, "title": measure.title, "text": measure.text, "kind": measure.kind,
            "auto_match": measure.auto_match, "how_to_apply": measure.how_to_apply,
            "notes": [measure.reading] if measure.reading else [],
        },
    )


def build_plans(book: RuleBook) -> dict[str, MeasurePlan]:
    """The plan of every measure of a book (``RuleBook.plans`` builds them once per book)."""
    seen: dict[tuple[Any, ...], Reads] = {}  # equal reads share one key (Context.missing_memo)
    return {measure.id: _build_plan(measure, seen) for measure in book.measures}


def _local(plan: MeasurePlan, ctx: Context) -> _Local:
    local = plan.localities.get(ctx.local_units)
    if local is None:
        units = Units(city=plan.measure.units, local=list(ctx.local_units))
        template = {"status": None, "amount": None, "reasons": None, "missing": None, "potential_yuan": None,
                    **plan.static, "units": units}
        local = plan.localities[ctx.local_units] = _Local(template)
    return local


def _template(plan: MeasurePlan, ctx: Context) -> dict[str, Any]:
    """A result with the parts that do not depend on the enterprise beyond its locality filled in.

    Shared: callers copy it (a dict copy is cheaper than building one) and fill in the rest.
    """
    return _local(plan, ctx).template


def _informational(plan: MeasurePlan, ctx: Context) -> MeasureResult:
    # the same for every enterprise of a locality: built once and shared (results are frozen)
    local = _local(plan, ctx)
    if local.informational is None:
        local.informational = MeasureResult(status="informational", reasons=[plan.measure.summary], missing=[],
                                            **plan.static, units=local.template["units"])
    return local.informational


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
                paths = memo.get(reads.key)
                if paths is None:
                    paths = memo[reads.key] = tuple(_missing(reads, ctx.ent, ctx))
            states.append(paths)
    if status == MET and plan.met_tag not in ctx.fired:
        # the per-condition view and the engine's own conjunction must agree
        raise AssertionError(f"{plan.measure.id}: conditions met but the engine's met rule did not fire")
    return status, states


def _item_views(rule: _Items, ctx: Context) -> Callable[[int], ItemView]:
    """Item i as the firings tell it: qualifying, failed (which gates), or what to ask for."""
    fired = ctx.fired
    qualifying = fired.get(rule.tag, ())
    failed = [(fired.get(tag, ()), sentence) for tag, sentence in rule.fail_tags]
    facts = ctx.items.get(rule.list, [])

    def view(i: int) -> ItemView:
        if i in qualifying:
            return ItemView(True, (), ())
        sentences = [sentence for indexes, sentence in failed if i in indexes]
        if sentences:
            return ItemView(False, sentences, ())
        return ItemView(False, (), _missing(rule.reads, facts[i], ctx, f"{rule.list}[{i}]."))
    return view


def _tier_states(plan: MeasurePlan, ctx: Context) -> Callable[[_Tier, int], Gate]:
    def state(tier: _Tier, index: int) -> Gate:
        if tier.enterprise is not None:
            found = _state(tier.enterprise, ctx)
            return found if found != UNKNOWN else _missing(tier.enterprise.reads, ctx.ent, ctx)
        assert tier.item is not None and plan.items is not None
        if index in ctx.fired.get(tier.item.fail_tag, ()):
            return FAILED
        if index in ctx.fired.get(tier.item.ok_tag, ()):
            return MET
        fact = ctx.items[plan.items.list][index]
        return _missing(tier.item.reads, fact, ctx, f"{plan.items.list}[{index}].")
    return state


def amount_of(plan: MeasurePlan, listed: list[dict[str, Any]] | None, qualifying: list[int],
              percents: list[Decimal] | None) -> AmountResult:
    """The amount of an eligible measure: ``listed`` is the profile's item list (dicts, money in yuan)."""
    if plan.fixed_amount is not None:
        return plan.fixed_amount
    measure = plan.measure
    if measure.amount.once:
        qualifying = qualifying[:1]
    if plan.amount_reads == COUNT:
        amount = plan.by_count.get(len(qualifying))
        if amount is not None:
            return amount
    chosen = [listed[i] for i in qualifying] if listed else []
    amount = amounts.compute(measure.amount, chosen, measure.items.unit if measure.items else "", percents, qualifying)
    if plan.amount_reads == COUNT and len(qualifying) < COUNTS_KEPT:
        plan.by_count[len(qualifying)] = amount  # frozen, so shared like the informational results
    return amount


def outside_validity(measure: Measure, as_of: int) -> str | None:
    """Why the evaluation date falls outside the measure's validity window, if it does."""
    window = measure.validity
    if window.from_ is not None and as_of < yyyymmdd(window.from_):
        return f"本措施自 {window.from_.isoformat()} 起执行，评估日尚未到执行期"
    if window.to is not None and as_of > yyyymmdd(window.to):
        return f"本措施已于 {window.to.isoformat()} 到期"
    return None




def decide(measure: Measure, ctx: Context) -> MeasureResult:
    """The result of ``measure`` for the enterprise of ``ctx`` (shared with other evaluations when
    it can only be the same: results are frozen)."""
    plan = ctx.book.plans[measure.id]
    if plan.informational:
        local = plan.localities.get(ctx.local_units)
        return local.informational if local is not None and local.informational else _informational(plan, ctx)
    as_of = ctx.ent["as_of"]
    if not plan.valid_from <= as_of <= plan.valid_to:
        return _trusted({**_template(plan, ctx), "status": "ineligible", "amount": NO_AMOUNT,
                         "reasons": [outside_validity(measure, as_of)], "missing": []})
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
    """A result built from parts this module made with the right types: validating it again
    cost about a third of a batch evaluation. tests/test_evaluate_many.py re-validates results."""
    return MeasureResult.model_construct(**fields)


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
        counted = ctx.profile.get(plan.potential_list) if plan.potential_list else None
        result["potential_yuan"] = potential(plan.measure.amount, counted, True) if counted else plan.potential
    return _trusted(result)


def _no_items(i: int) -> ItemView:
    raise AssertionError("no item to view")


def _no_tiers(tier: _Tier, index: int) -> Gate:
    raise AssertionError("a measure without tiers has no tier states")
