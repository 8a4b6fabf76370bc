"""Turn a validated Profile into the typed, flat facts the Rete engine sees.

Only known values become attributes: an absent attribute is how "unknown" reaches
the engine. Dates become YYYYMMDD integers and money integer fen (durable-rules
serialises neither ``date`` nor ``Decimal``, and coerces mixed types silently, so
every value is typed here first). Nested fields are flattened with ``__``. A date a rule
counts whole years from (a birth date, a founding date) also comes with those anniversaries,
computed by the engine's one date rule (``engine.dates``), since the Rete can only add numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from typing import Any

from engine.dates import anniversary, shifted, yyyymmdd

ITEM_LISTS = (
    "hires", "loans", "procurement_contracts", "exhibitions", "designations", "events", "projects",
    "procurement_projects", "receivables", "violations",
)
ENTERPRISE_SKIP = {"credit_code", "name", *ITEM_LISTS}


@cache
def is_money_field(path: str) -> bool:
    return path.split(".")[-1].endswith("_yuan")


@cache
def fact_field(path: str) -> str:
    """Profile field path (``revenue_yuan``, ``insurance_months.pension``) to fact attribute."""
    name = path.replace(".", "__")
    return name[: -len("_yuan")] + "_fen" if name.endswith("_yuan") else name


@cache
def _attribute(path: str) -> tuple[str, bool]:
    """(fact attribute, whether it is money) of a profile field path."""
    return fact_field(path), is_money_field(path)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        kind = type(value)
        if kind is dict:
            flat.update(_flatten(value, f"{prefix}{key}."))
            continue
        if kind is list:
            continue
        attribute, money = _attribute(prefix + key)
        if kind is dt.date:
            value = value.year * 10_000 + value.month * 100 + value.day
        elif kind is Decimal:
            value = int(value * 100) if money else int(value)
        flat[attribute] = value  # str, int, bool: already JSON-typed by the Profile model
    return flat


INDUSTRY_LEVELS_NAMES = ("industry_section", "industry_division", "industry_group_code", "industry_class")


def industry_levels(code: str) -> dict[str, str]:
    """GB/T 4754 code split by level, so rules match a level exactly (no regex)."""
    levels = {"industry_section": code[:1]}
    for length, name in zip((3, 4, 5), INDUSTRY_LEVELS_NAMES[1:], strict=True):
        if len(code) >= length:
            levels[name] = code[:length]
    return levels


@dataclass(frozen=True)
class FactPlan:
    """What the facts carry beyond the profile, read off the rules (``RuleBook.fact_plan``).

    ``shifts``: per fact type (``ent`` or a list), the (date attribute, years) anniversaries the rules
    compare with (``BookIR.shifts``).
    ``fills``: per list, (attribute, input attributes) of the item fields worked out as the smallest
    input when the item does not give them and every input is known (rules/derived/item_fields.yaml).
    """

    shifts: Mapping[str, tuple[tuple[str, int], ...]] = field(default_factory=dict)
    fills: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = field(default_factory=dict)

    @classmethod
    def of(cls, shifts: Mapping[str, tuple[tuple[str, int], ...]],
           fields: Iterable[tuple[str, str, tuple[str, ...]]]) -> FactPlan:
        fills: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for list_name, path, inputs in fields:
            fills.setdefault(list_name, []).append((fact_field(path), tuple(fact_field(i) for i in inputs)))
        return cls(dict(shifts), {name: tuple(pairs) for name, pairs in fills.items()})

    @cached_property
    def worked_out(self) -> dict[tuple[str, str], tuple[str, ...]]:
        """The item facts worked out from others, per (list, attribute): their input attributes."""
        return {(name, attribute): inputs for name, pairs in self.fills.items() for attribute, inputs in pairs}


NO_PLAN = FactPlan()


def _filled(fact: dict[str, Any], fills: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    for attribute, inputs in fills:
        if attribute not in fact and all(name in fact for name in inputs):
            fact[attribute] = min(fact[name] for name in inputs)
    return fact


def _with_anniversaries(fact: dict[str, Any], shifts: Iterable[tuple[str, int]]) -> dict[str, Any]:
    for attribute, years in shifts:
        date = fact.get(attribute)
        if date is not None:
            fact[shifted(attribute, years)] = anniversary(date, years)
    return fact


def build_facts(data: dict[str, Any], as_of: dt.date, enterprise_key: int = 0,
                plan: FactPlan = NO_PLAN) -> list[dict[str, Any]]:
    """The facts of one profile, given as ``Profile.model_dump(exclude_none=True)`` (the evaluation
    needs that dump too): the enterprise fact first, then one fact per list item. ``e`` tells the
    enterprises of one session apart (it leads every fact: see engine.session). ``plan``: what the
    rules need beyond the profile (``RuleBook.fact_plan``)."""
    today = yyyymmdd(as_of)
    enterprise = {k: v for k, v in data.items() if k not in ENTERPRISE_SKIP}
    ent = {"e": enterprise_key, "t": "ent", "i": -1, "as_of": today, **_flatten(enterprise)}
    code = ent.pop("industry_code", None)
    if code is not None:
        ent.update(industry_levels(code))
    facts = [_with_anniversaries(ent, plan.shifts.get("ent", ()))]
    for list_name in ITEM_LISTS:
        fills = plan.fills.get(list_name)
        shifts = plan.shifts.get(list_name)
        for index, item in enumerate(data.get(list_name) or []):
            fact = {"e": enterprise_key, "t": list_name, "i": index, "as_of": today, **_flatten(item)}
            if fills:
                _filled(fact, fills)
            facts.append(_with_anniversaries(fact, shifts) if shifts else fact)
    return facts
