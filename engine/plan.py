"""The plan of a measure: everything about it that does not depend on the enterprise.

Built once per rule book (``RuleBook.plans``) from the rule files: the tags its Rete rules fire
(``engine.compile``), its sentences, the fields each condition reads (in the order the missing
paths are named), its items, tiers and amount. Both backends read it: ``engine.decide`` (Rete
firings) and ``engine.columnar``; ``engine.verdict`` words their states with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from engine import amounts
from engine.compile import needs_ok_rule, tag_fail, tag_item, tag_item_fail, tag_item_ok, tag_met, tag_ok
from engine.dates import from_yyyymmdd, yyyymmdd
from engine.facts import fact_field
from engine.loader import RuleBook
from engine.result import AmountResult, MeasureResult
from engine.rule_models import Amount, Condition, ItemRule, Measure, Test
from engine.validity import not_in_force
from engine.verdict import FAILED, MET, UNKNOWN

# --- what a test reads ----------------------------------------------------------------

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


# --- the plan ----------------------------------

class ConditionPlan(NamedTuple):
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

    def state(self, fired: Mapping[str, Any], ent: Mapping[str, Any], derived: Mapping[str, str]) -> str:
        """MET, FAILED or UNKNOWN, read off what fired for the enterprise (``fired``: rule tag ->
        item indexes, ``engine.decide.Context``), its fact and its derived values."""
        if self.fail_tag in fired:
            return FAILED
        if self.ok_tag in fired or (self.presence_decides and ent.keys() >= self.fact_fields
                                    and derived.keys() >= self.derived):
            return MET
        return UNKNOWN


def _condition(measure: Measure, condition: Condition, seen: dict[tuple[Any, ...], Reads]) -> ConditionPlan:
    reads = _reads(condition.test, seen)
    return ConditionPlan(
        condition.id, tag_fail(measure.id, condition.id), tag_ok(measure.id, condition.id),
        not needs_ok_rule(condition),
        frozenset(attribute for attribute, _ in reads.fields), frozenset(reads.derived),
        condition.met, condition.failed, reads,
    )


class ItemConditionPlan(NamedTuple):
    """An item condition that grades (a tier's ``when``), decided item by item."""

    id: str
    fail_tag: str
    ok_tag: str
    met: str
    failed: str
    unknown: str
    reads: Reads


class ItemsPlan(NamedTuple):
    """The item rule of a measure: which list, its tags, and its sentences."""

    list: str
    tag: str  # fires per item when every gate holds
    fail_tags: tuple[tuple[str, str], ...]  # (tag, failed sentence) of each gate condition
    qualified: str  # "<n><qualified>": "2 名新招用人员符合条件（…）"
    none_qualified: str
    incomplete: str  # "hires[0]<incomplete>": why an undecided item still matters
    reads: Reads  # of the gates' conjunction: the missing paths of an undecided item
    graders: dict[str, ItemConditionPlan]


def _items(measure: Measure, rule: ItemRule, seen: dict[tuple[Any, ...], Reads]) -> ItemsPlan:
    gates = [c for c in rule.conditions if c.gate]
    phrases = "、".join(dict.fromkeys(c.phrase for c in gates))
    gain = "可能增加金额" if measure.amount.kind != "none" else "可能也符合条件"
    conjunction = Test.model_validate({"all": [c.test for c in gates]})
    graders = {
        c.id: ItemConditionPlan(c.id, tag_item_fail(measure.id, c.id), tag_item_ok(measure.id, c.id), c.met, c.failed,
                             f"信息不全，尚不能确定适用的比例（{c.phrase}）", _reads(c.test, seen))
        for c in rule.conditions
    }
    return ItemsPlan(
        rule.list, tag_item(measure.id), tuple((tag_item_fail(measure.id, c.id), c.failed) for c in gates),
        f" {rule.noun}符合条件（{phrases}）", f"没有符合条件的{rule.noun.lstrip('名份笔场项个次起')}",
        f" 信息不全，补全后{gain}", _reads(conjunction, seen), graders,
    )


class TierPlan(NamedTuple):
    percent: Decimal
    enterprise: ConditionPlan | None  # the `when` condition, when enterprise-level
    item: ItemConditionPlan | None  # the `when` condition, when decided per item


@dataclass(slots=True)
class MeasurePlan:
    """Everything about a measure that does not depend on the enterprise."""

    measure: Measure
    informational: bool
    valid_from: int  # YYYYMMDD bounds of the validity window (open ends as 0 / 99999999)
    valid_to: int
    gates: tuple[ConditionPlan, ...]
    met_tag: str
    conditions: dict[str, ConditionPlan]
    items: ItemsPlan | None
    share: bool
    tiers: tuple[TierPlan, ...]
    amount_reads: str  # FIXED, COUNT or ITEMS: see amount_reads
    fixed_amount: AmountResult | None  # when FIXED
    potential_list: str | None  # the item list the potential is counted on, if any
    potential: Decimal | None  # the potential when that list is unknown or empty (or there is none)
    static: dict[str, Any]
    by_count: dict[int, AmountResult] = field(default_factory=dict)  # when COUNT: at most COUNTS_KEPT
    memoised: bool = False  # see _memoised
    decided: dict[tuple[Any, ...], MeasureResult] = field(default_factory=dict)  # see decide: at most DECIDED_KEPT
    localities: dict[tuple[str, ...], LocalParts] = field(default_factory=dict)  # by local units: a handful


@dataclass(slots=True)
class LocalParts:
    """The parts of a measure's results that are the same for every enterprise of one locality."""

    template: dict[str, Any]  # see _template


FIXED, COUNT, ITEMS = "fixed", "count", "items"
COUNTS_KEPT = 32  # amounts kept per measure for 0..31 qualifying items (larger counts are computed)
DECIDED_KEPT = 256  # results kept per measure (see decide); past that, results are worked out each time


def amount_reads(rule: Amount) -> str:
    """What ``amounts.compute`` reads for this rule besides the rule itself (see its branches)."""
    if rule.kind == "none" or (rule.kind != "share" and rule.annual_rate_percent is None
                               and rule.item_field is None and not rule.per_item):
        return FIXED
    if rule.kind != "share" and rule.annual_rate_percent is None and rule.item_field is None:
        return COUNT  # per item, a fixed sum each: n × yuan
    return ITEMS


def _tiers(measure: Measure, conditions: dict[str, ConditionPlan], items: ItemsPlan | None) -> tuple[TierPlan, ...]:
    tiers = []
    for tier in measure.amount.tiers:
        if tier.when is None or tier.when in conditions:
            tiers.append(TierPlan(tier.percent, conditions.get(tier.when or ""), None))
        else:
            assert items is not None
            tiers.append(TierPlan(tier.percent, None, items.graders[tier.when]))
    return tuple(tiers)


def _potential_list(rule: Amount, items: ItemsPlan | None) -> str | None:
    if rule.kind in ("none", "share") or rule.annual_rate_percent is not None or items is None:
        return None
    return items.list if rule.item_field is not None or (rule.yuan is not None and rule.per_item) else None


def potential(rule: Amount, listed: list[dict[str, Any]] | None, has_items: bool) -> Decimal | None:
    """What an undetermined measure could bring at most (shown as "可能涉及", and to order the
    questions by money). ``listed``: the items that may still count — never those known to fail."""
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
    reads = amount_reads(rule)
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
    """Why the evaluation date (YYYYMMDD) falls outside the measure's validity window, if it does."""
    return not_in_force(measure.validity, from_yyyymmdd(as_of))
