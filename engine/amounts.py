"""Exact money (Decimal yuan) with the arithmetic written out for the user."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from engine.result import AmountResult, SharePart, trusted
from engine.rule_models import Amount

CENT = Decimal("0.01")
TWELVE = Decimal(12)


def yuan(value: Decimal) -> str:
    """3000 -> '3,000'; 1234.5 -> '1,234.50'."""
    value = value.quantize(CENT, ROUND_HALF_UP)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def wan(value: Decimal) -> str:
    """Yuan as exact 万元, never rounded: 2,999,999 -> '299.9999' (rounded, it would read '300',
    the very line between a small and a micro manufacturer); 12,000,000 -> '1,200'."""
    return f"{(Decimal(value) / 10_000).normalize():,f}"


def _amount(kind: str, value: Decimal | None, formula: str | None, percent: Decimal | None = None,
            base: Decimal | None = None, label: str | None = None,
            parts: list[SharePart] | None = None) -> AmountResult:
    # every field, in the model's order (engine.result.trusted): the parts are built right here
    return trusted(AmountResult, {"kind": kind, "yuan": value, "formula": formula, "percent": percent,
                                  "base_yuan": base, "label": label, "parts": [] if parts is None else parts})


def _sum(items: Sequence[dict[str, Any]], field: str) -> Decimal:
    return sum((Decimal(str(item[field])) for item in items), Decimal(0))


def _capped(total: Decimal, rule: Amount, formula: str) -> tuple[Decimal, str]:
    if rule.cap_yuan is not None and total > rule.cap_yuan:
        return rule.cap_yuan, f"{formula}，超过总额上限，按 {yuan(rule.cap_yuan)} 元计"
    if rule.cap_yuan is not None:
        return total, f"{formula}（总额上限 {yuan(rule.cap_yuan)} 元）"
    return total, formula


def compute(
    rule: Amount,
    items: Sequence[dict[str, Any]],
    unit_word: str,
    percents: Sequence[Decimal] | None = None,
    indices: Sequence[int] | None = None,
) -> AmountResult:
    """The amount for the qualifying ``items`` (profile dicts; empty for per-enterprise amounts).

    ``percents`` (share only) gives each item's percent; ``indices`` their places in the
    profile's list, so each share line can be traced back to its item.
    """
    if rule.kind == "none":
        return _amount("none", None, None)
    count = len(items)
    if rule.kind == "share":
        assert percents is not None and len(percents) == count
        return _share(rule, items, percents, indices or list(range(count)))
    if rule.annual_rate_percent is not None:
        return _interest(rule, items)
    if rule.item_field is not None:
        total = _sum(items, rule.item_field)
        listed = " + ".join(f"{yuan(Decimal(str(i[rule.item_field])))} 元" for i in items)
        formula = f"{listed} = {yuan(total)} 元" if count > 1 else f"{yuan(total)} 元"
        value, formula = _capped(total, rule, formula)
        return _amount(rule.kind, value, formula)
    assert rule.yuan is not None
    if rule.per_item:
        total = rule.yuan * count
        bound = "不超过 " if rule.kind == "up_to" else ""
        formula = f"{count} {unit_word} × {bound}{yuan(rule.yuan)} 元 = {yuan(total)} 元"
        value, formula = _capped(total, rule, formula)
        return _amount(rule.kind, value, formula)
    prefix = "最高 " if rule.kind == "up_to" else ""
    once = "（一次性）" if rule.once else ""
    return _amount(rule.kind, rule.yuan, f"{prefix}{yuan(rule.yuan)} 元{once}")


def _share(
    rule: Amount, items: Sequence[dict[str, Any]], percents: Sequence[Decimal], indices: Sequence[int]
) -> AmountResult:
    """A percentage of each item's base. One percent for all: (a + b) × p%. Several: item by item,
    each rounded to the fen, and ``percent`` is then the overall share of the summed base."""
    assert rule.item_field is not None
    label = rule.base_label or "基数"
    bases = [Decimal(str(item[rule.item_field])) for item in items]
    parts = [
        trusted(SharePart, {"item": i, "base_yuan": b, "percent": p,
                            "yuan": (b * p / 100).quantize(CENT, ROUND_HALF_UP)})
        for i, b, p in zip(indices, bases, percents, strict=True)
    ]
    base = sum(bases, Decimal(0))
    if len(set(percents)) == 1:
        percent: Decimal | None = percents[0]
        value = (base * percents[0] / 100).quantize(CENT, ROUND_HALF_UP)
        listed = " + ".join(yuan(b) for b in bases)
        base_text = f"（{listed}）" if len(bases) > 1 else yuan(base)
        formula = f"{label} {base_text} 元 × {percents[0]:g}% = {yuan(value)} 元"
    else:
        # the contract needs one percent: the overall share of the base (per-item percents in parts)
        value = sum((part.yuan for part in parts), Decimal(0))
        percent = (value * 100 / base).quantize(CENT, ROUND_HALF_UP) if base else Decimal(0)
        lines = [
            f"第 {p.item + 1} 项{label} {yuan(p.base_yuan)} 元 × {p.percent:g}% = {yuan(p.yuan)} 元" for p in parts
        ]
        formula = "；".join(lines) + f"；合计 {yuan(value)} 元"
    return _amount("share", value, formula, percent, base, _share_label(rule, percents), parts)


def _share_label(rule: Amount, percents: Sequence[Decimal]) -> str | None:
    """What the percent means, in the text's own words: the tier's ``label`` when every item has the
    same percent ("可提高至50%以上" is not "不低于50%"), else the measure's ``share_label``."""
    if len(set(percents)) == 1:
        tier = next((t for t in rule.tiers if t.percent == percents[0] and t.label is not None), None)
        if tier is not None:
            return tier.label
        if rule.share_label is not None:
            return f"{rule.share_label} {percents[0]:g}%"
    return rule.share_label


def _interest(rule: Amount, items: Sequence[dict[str, Any]]) -> AmountResult:
    """Interest subsidy ceiling: principal × annual rate × min(term, longest period)."""
    assert rule.item_field is not None and rule.max_months is not None and rule.annual_rate_percent is not None
    total = Decimal(0)
    lines = []
    for item in items:
        principal = Decimal(str(item[rule.item_field]))
        months = min(int(item["term_months"]), rule.max_months)  # the rule requires term_months
        value = (principal * rule.annual_rate_percent / 100 * months / TWELVE).quantize(CENT, ROUND_HALF_UP)
        total += value
        lines.append(f"{yuan(principal)} 元 × {rule.annual_rate_percent:g}% × {months}/12 年 = {yuan(value)} 元")
    formula = "；".join(lines) + (f"；合计 {yuan(total)} 元" if len(lines) > 1 else "")
    return _amount("up_to", total, f"最高 {formula}（按本金估算，实际以贷款余额核定）")
