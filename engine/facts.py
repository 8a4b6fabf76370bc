"""Turn a validated Profile into the typed, flat facts the Rete engine sees.

Only known values become attributes: an absent attribute is how "unknown" reaches
the engine. Dates become YYYYMMDD integers and money integer fen (durable-rules
serialises neither ``date`` nor ``Decimal``, and coerces mixed types silently, so
every value is typed here first). Nested fields are flattened with ``__``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

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


def yyyymmdd(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def from_yyyymmdd(value: int) -> dt.date:
    return dt.date(value // 10_000, value // 100 % 100, value % 100)


def _scalar(path: str, value: Any) -> Any:
    kind = type(value)
    if kind is dt.date:
        return value.year * 10_000 + value.month * 100 + value.day
    if kind is Decimal:
        return int(value * 100) if is_money_field(path) else int(value)
    return value  # str, int, bool: already JSON-typed by the Profile model


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if value is None:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{path}."))
        elif not isinstance(value, list):
            flat[fact_field(path)] = _scalar(path, value)
    return flat


def industry_levels(code: str) -> dict[str, str]:
    """GB/T 4754 code split by level, so rules match a level exactly (no regex)."""
    levels = {"industry_section": code[:1]}
    for length, name in ((3, "industry_division"), (4, "industry_group_code"), (5, "industry_class")):
        if len(code) >= length:
            levels[name] = code[:length]
    return levels


def build_facts(data: dict[str, Any], as_of: dt.date, enterprise_key: int = 0) -> list[dict[str, Any]]:
    """The facts of one profile, given as ``Profile.model_dump(exclude_none=True)`` (the evaluation
    needs that dump too): the enterprise fact first, then one fact per list item. ``e`` tells the
    enterprises of one session apart (it leads every fact: see engine.session)."""
    today = yyyymmdd(as_of)
    enterprise = {k: v for k, v in data.items() if k not in ENTERPRISE_SKIP}
    ent = {"e": enterprise_key, "t": "ent", "i": -1, "as_of": today, **_flatten(enterprise)}
    code = ent.pop("industry_code", None)
    if code is not None:
        ent.update(industry_levels(code))
    facts = [ent]
    for list_name in ITEM_LISTS:
        for index, item in enumerate(data.get(list_name) or []):
            facts.append({"e": enterprise_key, "t": list_name, "i": index, "as_of": today, **_flatten(item)})
    return facts
