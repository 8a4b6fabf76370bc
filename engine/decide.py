"""Turn what fired in the Rete engine into each measure's status, reasons and missing facts.

The engine has already decided every condition: a ``fail`` rule fired (known false), an
``ok``/``met`` rule fired (known true), or nothing fired (unknown). This module only
combines them (Kleene AND), picks the qualifying items, and words the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from engine import amounts
from engine.compile import needs_ok_rule, tag_fail, tag_item, tag_item_fail, tag_item_ok, tag_met, tag_ok
from engine.compiled import Firing
from engine.facts import fact_field, yyyymmdd
from engine.loader import RuleBook
from engine.result import NO_AMOUNT, AmountResult, MeasureResult, Units
from engine.rule_models import Condition, ItemRule, Measure, Test
from engine.size_standard import NOT_APPLICABLE_GROUP

MET, FAILED, UNKNOWN = "met", "failed", "unknown"
STATUS_OF = {MET: "eligible", FAILED: "ineligible", UNKNOWN: "undetermined"}
T = TypeVar("T")
R = TypeVar("R")


@dataclass
class Context:
    """One evaluation: the profile (as data), the facts, what fired, the derived values."""

    book: RuleBook
    profile: dict[str, Any]
    ent: dict[str, Any]
    items: dict[str, list[dict[str, Any]]]
    fired: dict[str, set[int]]  # rule tag -> item indexes it fired for (-1: the enterprise)
    derived: dict[str, str]
    local_units: list[str]

    @classmethod
    def build(cls, book: RuleBook, profile: dict[str, Any], facts: list[dict[str, Any]],
              firings: Iterable[Firing], local_units: list[str]) -> Context:
        fired: dict[str, set[int]] = {}
        derived = {}
        for firing in firings:
            fired.setdefault(firing.tag, set()).add(firing.item)
            if firing.tag.startswith("derived|"):
                _, name, value = firing.tag.split("|", 2)
                derived[name] = value
        items: dict[str, list[dict[str, Any]]] = {}
        for fact in facts[1:]:
            items.setdefault(fact["t"], []).append(fact)
        return cls(book, profile, facts[0], items, fired, derived, local_units)


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


def _missing_derived(name: str, ctx: Context) -> list[str]:
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


def missing_paths(test: Test, fact: dict[str, Any], ctx: Context, prefix: str = "") -> list[str]:
    fields, derived = references(test)
    missing = [prefix + PROFILE_FIELD_OF_LEVEL.get(f, f) for f in fields
               if fact_field(f) not in fact]
    for name in derived:
        missing += _missing_derived(name, ctx)
    return list(dict.fromkeys(missing)) or [prefix.rstrip(".") or "profile"]


# --- conditions -------------------------------------------------------------------------

@dataclass(frozen=True)
class _ConditionPlan:
    """What deciding one condition needs, computed once per rule (the hot path reads it)."""

    fail_tag: str
    ok_tag: str
    fact_fields: tuple[str, ...]
    derived: tuple[str, ...]
    presence_decides: bool  # no ok rule: known fields and no failure mean "met"


_PLANS: dict[tuple[str, int], tuple[Condition, _ConditionPlan]] = {}


def _plan(measure: Measure, condition: Condition) -> _ConditionPlan:
    key = (measure.id, id(condition))
    hit = _PLANS.get(key)
    if hit is None:
        fields, derived = references(condition.test)
        plan = _ConditionPlan(tag_fail(measure.id, condition.id), tag_ok(measure.id, condition.id),
                              tuple(fact_field(f) for f in fields), tuple(derived), not needs_ok_rule(condition))
        hit = _PLANS[key] = (condition, plan)
    return hit[1]


def condition_state(measure: Measure, condition: Condition, ctx: Context) -> str:
    plan = _plan(measure, condition)
    fired = ctx.fired
    if plan.fail_tag in fired:
        return FAILED
    if plan.ok_tag in fired:
        return MET
    if not plan.presence_decides:
        return UNKNOWN
    ent, derived = ctx.ent, ctx.derived
    known = all(f in ent for f in plan.fact_fields) and all(d in derived for d in plan.derived)
    return MET if known else UNKNOWN


@dataclass
class Verdict:
    status: str = MET
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # the reasons that make it fail, told first

    def add(self, state: str) -> None:
        if state == FAILED or (state == UNKNOWN and self.status == MET):
            self.status = state


@_per_rule_object
def _gates(measure: Measure) -> tuple[tuple[Condition, ...], str]:
    """The deciding conditions of a measure, and the tag of its "all hold" rule."""
    return tuple(c for c in measure.conditions if c.gate), tag_met(measure.id)


def _enterprise_verdict(measure: Measure, ctx: Context) -> Verdict:
    verdict = Verdict()
    gates, met_tag = _gates(measure)
    for condition in gates:
        state = condition_state(measure, condition, ctx)
        verdict.add(state)
        if state == FAILED:
            verdict.reasons.append(condition.failed)
            verdict.failures.append(condition.failed)
        elif state == MET:
            verdict.reasons.append(condition.met)
        else:
            verdict.missing += missing_paths(condition.test, ctx.ent, ctx)
    if verdict.status == MET and gates and met_tag not in ctx.fired:
        # the per-condition view and the engine's own conjunction must agree
        raise AssertionError(f"{measure.id}: conditions met but the engine's met rule did not fire")
    return verdict


@_per_rule_object
def _item_conjunction(rule: ItemRule) -> Test:
    return Test.model_validate({"all": [c.test for c in rule.conditions if c.gate]})


def _item_verdict(measure: Measure, ctx: Context) -> tuple[Verdict, list[int]]:
    rule = measure.items
    assert rule is not None
    verdict = Verdict()
    listed = ctx.profile.get(rule.list)
    if listed is None:
        verdict.status = UNKNOWN
        verdict.missing.append(rule.list)
        return verdict, []
    qualifying = sorted(ctx.fired.get(tag_item(measure.id), ()))
    gates = [c for c in rule.conditions if c.gate]
    failures: dict[int, list[str]] = {}
    for condition in gates:
        for i in ctx.fired.get(tag_item_fail(measure.id, condition.id), ()):
            failures.setdefault(i, []).append(condition.failed)
    facts = ctx.items.get(rule.list, [])
    unknown = [i for i in range(len(listed)) if i not in qualifying and i not in failures]
    if qualifying:
        phrases = "、".join(dict.fromkeys(c.phrase for c in gates))
        verdict.reasons.append(f"{len(qualifying)} {rule.noun}符合条件（{phrases}）")
    for i in sorted(failures):
        verdict.reasons.append(f"{rule.list}[{i}]：{'；'.join(failures[i])}")
    for i in unknown:
        test = _item_conjunction(rule)
        verdict.missing += missing_paths(test, facts[i], ctx, prefix=f"{rule.list}[{i}].")
        if qualifying:
            gain = "可能增加金额" if measure.amount.kind != "none" else "可能也符合条件"
            verdict.reasons.append(f"{rule.list}[{i}] 信息不全，补全后{gain}")
    if not qualifying:
        if unknown:
            verdict.status = UNKNOWN
        else:
            verdict.status = FAILED
            verdict.reasons.insert(0, f"没有符合条件的{rule.noun.lstrip('名份笔场项个次起')}")
            verdict.failures.append(verdict.reasons[0])
    return verdict, qualifying


def _item_state(measure: Measure, condition: Condition, ctx: Context, index: int) -> str:
    if index in ctx.fired.get(tag_item_fail(measure.id, condition.id), ()):
        return FAILED
    if index in ctx.fired.get(tag_item_ok(measure.id, condition.id), ()):
        return MET
    return UNKNOWN


def _percents(
    measure: Measure, ctx: Context, verdict: Verdict, qualifying: list[int]
) -> tuple[list[int], list[Decimal]] | None:
    """The percent of each qualifying item: the first tier whose condition holds.

    A tier's condition is enterprise-level (the same answer for every item) or an item
    condition (decided per item). An item whose tier cannot be decided yet is set aside
    as unknown; ``None`` when no item is left with a known percent.
    """
    rule = measure.amount
    if not rule.tiers:
        return (qualifying, [rule.percent] * len(qualifying)) if rule.percent is not None else None
    kept: list[int] = []
    percents: list[Decimal] = []
    for index in qualifying:
        percent = _tier_percent(measure, ctx, verdict, index)
        if percent is not None:
            kept.append(index)
            percents.append(percent)
    if not kept:
        verdict.add(UNKNOWN)
        return None
    return kept, percents


def _tier_percent(measure: Measure, ctx: Context, verdict: Verdict, index: int) -> Decimal | None:
    enterprise = {c.id: c for c in measure.conditions}
    for tier in measure.amount.tiers:
        if tier.when is None:
            return tier.percent
        if tier.when in enterprise:
            condition = enterprise[tier.when]
            state, fact, prefix = condition_state(measure, condition, ctx), ctx.ent, ""
        else:
            assert measure.items is not None
            condition = next(c for c in measure.items.conditions if c.id == tier.when)
            state, fact = _item_state(measure, condition, ctx, index), ctx.items[measure.items.list][index]
            prefix = f"{measure.items.list}[{index}]."
        where = f"{prefix.rstrip('.')}：" if prefix else ""
        if state == MET:
            verdict.reasons.append(where + condition.met)
            return tier.percent
        if state == FAILED:
            verdict.reasons.append(where + condition.failed)
            continue
        # unknown: an enterprise condition's `failed` already covers it; an item's needs saying
        unknown = f"信息不全，尚不能确定适用的比例（{condition.phrase}）" if prefix else condition.failed
        verdict.reasons.append(where + unknown)
        verdict.missing += missing_paths(condition.test, fact, ctx, prefix)
        return None
    return None


def _unit_word(measure: Measure) -> str:
    return measure.items.unit if measure.items else ""


def _potential(measure: Measure, ctx: Context) -> Decimal | None:
    """What an undetermined measure could bring, to order the questions by money."""
    rule = measure.amount
    if rule.kind in ("none", "share") or rule.annual_rate_percent is not None:
        return None
    if rule.item_field is not None:
        listed = ctx.profile.get(measure.items.list) if measure.items else None
        return sum((Decimal(str(i.get(rule.item_field) or 0)) for i in listed or []), Decimal(0)) or None
    if rule.yuan is None:
        return None
    count = max(len(ctx.profile.get(measure.items.list) or []), 1) if rule.per_item and measure.items else 1
    total = rule.yuan * count
    return min(total, rule.cap_yuan) if rule.cap_yuan is not None else total


@_per_rule_object
def _static(measure: Measure) -> dict[str, Any]:
    return {
        "measure": measure.id, "title": measure.title, "text": measure.text, "kind": measure.kind,
        "auto_match": measure.auto_match, "how_to_apply": measure.how_to_apply,
        "notes": [measure.reading] if measure.reading else [],
    }


_BASES: dict[tuple[int, tuple[str, ...]], tuple[Measure, dict[str, Any]]] = {}


def _base(measure: Measure, local_units: tuple[str, ...]) -> dict[str, Any]:
    """The parts of a result that do not depend on the enterprise beyond its locality."""
    key = (id(measure), local_units)
    hit = _BASES.get(key)
    if hit is None:
        units = Units(city=measure.units, local=list(local_units))
        hit = _BASES[key] = (measure, {**_static(measure), "units": units})
    return hit[1]  # shared: callers only unpack it into a new dict


_INFORMATIONAL: dict[tuple[int, tuple[str, ...]], tuple[Measure, MeasureResult]] = {}
Decided = MeasureResult | dict[str, Any]  # a dict is validated with the whole Result, once


def _informational(measure: Measure, local_units: tuple[str, ...]) -> MeasureResult:
    # the same for every enterprise of a locality: built once and shared (results are frozen);
    # the measure is kept in the value so its id() cannot be reused while cached
    key = (id(measure), local_units)
    cached = _INFORMATIONAL.get(key)
    if cached is None:
        result = MeasureResult(status="informational", reasons=[measure.summary], missing=[],
                               **_base(measure, local_units))
        cached = _INFORMATIONAL[key] = (measure, result)
    return cached[1]


def _outside_validity(measure: Measure, as_of: int) -> str | None:
    """Why the evaluation date falls outside the measure's validity window, if it does."""
    window = measure.validity
    if window.from_ is not None and as_of < yyyymmdd(window.from_):
        return f"本措施自 {window.from_.isoformat()} 起执行，评估日尚未到执行期"
    if window.to is not None and as_of > yyyymmdd(window.to):
        return f"本措施已于 {window.to.isoformat()} 到期"
    return None


def decide(measure: Measure, ctx: Context) -> Decided:
    local = tuple(ctx.local_units)
    if measure.kind == "informational":
        return _informational(measure, local)
    base = _base(measure, local)
    outside = _outside_validity(measure, ctx.ent["as_of"])
    if outside is not None:
        return {"status": "ineligible", "reasons": [outside], "missing": [], **base}
    verdict = _enterprise_verdict(measure, ctx)
    qualifying: list[int] = []
    if measure.items is not None:
        items_verdict, qualifying = _item_verdict(measure, ctx)
        verdict.add(items_verdict.status)
        verdict.reasons += items_verdict.reasons
        verdict.missing += items_verdict.missing
        verdict.failures += items_verdict.failures
    percents: list[Decimal] | None = None
    if verdict.status == MET and measure.amount.kind == "share":
        graded = _percents(measure, ctx, verdict, qualifying)
        if graded is not None:
            qualifying, percents = graded
    amount: AmountResult = NO_AMOUNT
    if verdict.status == MET:
        listed = ctx.profile.get(measure.items.list) or [] if measure.items else []
        if measure.amount.once:
            qualifying = qualifying[:1]
        chosen = [listed[i] for i in qualifying]
        amount = amounts.compute(measure.amount, chosen, _unit_word(measure), percents, qualifying)
    status = STATUS_OF[verdict.status]
    missing = list(dict.fromkeys(verdict.missing)) if status != "ineligible" else []
    # an ineligible measure opens with why it fails, not with the conditions it meets
    reasons = verdict.failures + verdict.reasons if status == "ineligible" else verdict.reasons
    return {
        "status": status, "amount": amount, "reasons": list(dict.fromkeys(reasons)), "missing": missing,
        "potential_yuan": _potential(measure, ctx) if status == "undetermined" else None, **base,
    }
