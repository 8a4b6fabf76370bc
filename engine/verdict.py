"""One verdict layer: the states of a measure's conditions -> status, reasons and missing paths.

Both backends end here. The Rete path (``engine.decide``) reads the states off the durable-rules
firings, the columnar path (``engine.columnar``) off its state columns; this module words them, so
the two cannot word the same states differently. A state (``Gate``) is ``MET``, ``FAILED`` or the
field paths to ask for; an item is an ``ItemView``. Amounts are not worded here (``engine.amounts``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

MET, FAILED, UNKNOWN = "met", "failed", "unknown"
Gate = str | Sequence[str]  # the state of a condition: MET, FAILED, or the paths to ask for


class ItemView(NamedTuple):
    """What is known of one item under a measure's item gates."""

    qualifies: bool
    failed: Sequence[str]  # the failed sentences of the gates known to fail, in gate order
    missing: Sequence[str]  # when neither: the paths to ask for (prefixed ``hires[0].``)


@dataclass(frozen=True, slots=True)
class Verdict:
    status: str  # eligible | ineligible | undetermined
    reasons: list[str]
    missing: list[str]
    qualifying: list[int]  # indexes of the items the amount counts
    percents: list[Decimal] | None  # share: the percent of each qualifying item
    # indexes of the items not known to fail (qualifying or still open): all an undetermined
    # measure's potential may count; an item known to fail never adds to "what is possible"
    possible: list[int] = field(default_factory=list)


def unique(values: list[str]) -> list[str]:
    """``values`` without repeats, first occurrence kept. Repeats are rare: checked cheaply first."""
    if len(values) < 2 or len(set(values)) == len(values):
        return values
    return list(dict.fromkeys(values))


def _failures_first(failures: list[str], reasons: list[str]) -> list[str]:
    """The reasons of an ineligible measure: why it fails first, then the rest, without repeats."""
    if failures == reasons:  # often: every reason is a failure (every failure is also a reason)
        return unique(failures)
    return list(dict.fromkeys(failures + reasons))


def gate_status(states: Sequence[Gate]) -> str:
    """Kleene AND of the gate states: failed > unknown > met."""
    status = MET
    for state in states:
        if state == FAILED:
            return FAILED
        if state != MET:
            status = UNKNOWN
    return status


# The tier lookup a backend gives: (tier, item index) -> the state of the tier's condition
TierState = Callable[[Any, int], Gate]


def verdict(plan: Any, status: str, states: Sequence[Gate], listed: int | None,
            items: Callable[[int], ItemView], tier_state: TierState) -> Verdict:
    """The verdict of one measure (``plan``: ``engine.plan.MeasurePlan``) for one enterprise.

    ``status``/``states``: the gates' Kleene AND and each gate's state; ``listed``: the number of
    items of the measure's list (None: unknown); ``items(i)``: the view of item i."""
    reasons: list[str] = []
    missing: list[str] = []
    failures: list[str] = []  # the reasons that make it fail, told first
    for condition, state in zip(plan.gates, states, strict=True):
        if state == MET:
            reasons.append(condition.met)
        elif state == FAILED:
            reasons.append(condition.failed)
            failures.append(condition.failed)
        else:
            missing += state
    qualifying: list[int] = []
    possible: list[int] = []
    if plan.items is not None:
        status, qualifying, possible = _item_verdict(plan.items, listed, items, status, reasons, missing, failures)
    percents: list[Decimal] | None = None
    if status == MET and plan.share:
        graded = _percents(plan, tier_state, reasons, missing, qualifying)
        if graded is not None:
            qualifying, percents = graded
        elif plan.tiers:
            status = UNKNOWN
    if status == MET:
        return Verdict("eligible", unique(reasons), unique(missing), qualifying, percents, possible)
    if status == FAILED:
        # an ineligible measure opens with why it fails, not with the conditions it meets
        return Verdict("ineligible", _failures_first(failures, reasons), [], qualifying, percents, possible)
    return Verdict("undetermined", unique(reasons), unique(missing), qualifying, percents, possible)


def _item_verdict(rule: Any, listed: int | None, items: Callable[[int], ItemView], status: str,
                  reasons: list[str], missing: list[str],
                  failures: list[str]) -> tuple[str, list[int], list[int]]:
    """Add the items' sentences; return the status so far, the indexes of the qualifying items and
    those of the items not known to fail."""
    if listed is None:
        missing.append(rule.list)
        return (FAILED if status == FAILED else UNKNOWN), [], []
    if not listed:  # known: none
        reasons.append(rule.none_qualified)
        failures.append(rule.none_qualified)
        return FAILED, [], []
    views = [items(i) for i in range(listed)]
    qualifying = [i for i, view in enumerate(views) if view.qualifies]
    possible = [i for i, view in enumerate(views) if not view.failed]
    told_from = len(reasons)  # where the items' sentences start
    if qualifying:
        reasons.append(f"{len(qualifying)}{rule.qualified}")
    unknown = []
    for i, view in enumerate(views):
        if view.failed:
            reasons.append(f"{rule.list}[{i}]：{'；'.join(view.failed)}")
        elif not view.qualifies:
            unknown.append(i)
    for i in unknown:
        missing += views[i].missing
        if qualifying:
            reasons.append(f"{rule.list}[{i}]{rule.incomplete}")
    if qualifying:
        return status, qualifying, possible
    if unknown:
        return (FAILED if status == FAILED else UNKNOWN), qualifying, possible
    reasons.insert(told_from, rule.none_qualified)
    failures.append(rule.none_qualified)
    return FAILED, qualifying, possible


def _percents(plan: Any, tier_state: TierState, reasons: list[str], missing: list[str],
              qualifying: list[int]) -> tuple[list[int], list[Decimal]] | None:
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
        percent = _tier_percent(plan, tier_state, reasons, missing, index)
        if percent is not None:
            kept.append(index)
            percents.append(percent)
    return (kept, percents) if kept else None


def _tier_percent(plan: Any, tier_state: TierState, reasons: list[str], missing: list[str],
                  index: int) -> Decimal | None:
    for tier in plan.tiers:
        if tier.enterprise is not None:
            condition, where = tier.enterprise, ""
            unknown = condition.failed  # an enterprise condition's `failed` already covers it
        elif tier.item is not None:
            condition, where = tier.item, f"{plan.items.list}[{index}]："
            unknown = condition.unknown
        else:
            return tier.percent
        state = tier_state(tier, index)
        if state == MET:
            reasons.append(where + condition.met)
            return tier.percent
        if state == FAILED:
            reasons.append(where + condition.failed)
            continue
        reasons.append(where + unknown)
        missing += state
        return None
    return None
