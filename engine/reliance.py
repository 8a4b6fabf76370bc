"""Which profile facts a measure's decision rests on: read off the rule conditions, never re-decided.

Used wherever a face has to say "this benefit relies on these facts" (the console flags
the ones only declared at the desk, which must be proven before a unit grants anything).
"""

from __future__ import annotations

import re
from typing import Any

from engine.loader import RuleBook
from engine.plan import PROFILE_FIELD_OF_LEVEL, references
from engine.result import MeasureResult
from engine.size_standard import NOT_APPLICABLE_GROUP

_ITEM = re.compile(r"^(\w+)\[\*\]\.(.+)$")


def _derived_inputs(name: str, book: RuleBook, industry_group: str | None) -> list[str]:
    if name == "industry_group":
        return ["industry_code"]
    if name == "size_class":
        if industry_group is None:
            return ["industry_code"]
        if industry_group == NOT_APPLICABLE_GROUP:
            return ["industry_code", "declared_size_class"]
        return ["industry_code", *book.size_standard.fields_of(industry_group)]
    spec = next((d for d in book.derived if d.name == name), None)
    return list(spec.inputs) if spec is not None else []


def relied_fields(measure_id: str, book: RuleBook, industry_group: str | None = None) -> list[str]:
    """Field paths the measure's conditions read; per-item ones as ``hires[*].birth_date``."""
    measure = book.measure(measure_id)
    out: list[str] = []
    for condition in measure.conditions:
        fields, derived = references(condition.test)
        out += [PROFILE_FIELD_OF_LEVEL.get(f, f) for f in fields]
        for name in derived:
            out += _derived_inputs(name, book, industry_group)
    if measure.items is not None:
        for condition in measure.items.conditions:
            fields, derived = references(condition.test)
            out += [f"{measure.items.list}[*].{PROFILE_FIELD_OF_LEVEL.get(f, f)}" for f in fields]
            for name in derived:
                out += _derived_inputs(name, book, industry_group)
        if measure.amount.item_field:
            out.append(f"{measure.items.list}[*].{measure.amount.item_field}")
    return list(dict.fromkeys(out))


def value_at(profile: dict[str, Any], dotted: str) -> Any:
    """The value at a dotted path of a nested profile dict, or None."""
    value: Any = profile
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def relied_paths(item: MeasureResult, profile: dict[str, Any], book: RuleBook,
                 industry_group: str | None = None) -> list[str]:
    """The concrete paths of ``profile`` (a JSON-mode dump) that ``item``'s decision rests on."""
    paths: list[str] = []
    for pattern in relied_fields(item.measure, book, industry_group):
        match = _ITEM.match(pattern)
        if match is None:
            if value_at(profile, pattern) is not None:
                paths.append(pattern)
            continue
        list_name, path = match.groups()
        derivation = book.item_field(list_name, path)
        for index, entry in enumerate(profile.get(list_name) or []):
            if not isinstance(entry, dict):
                continue
            if value_at(entry, path) is not None:
                paths.append(f"{list_name}[{index}].{path}")
            elif derivation is not None:  # worked out from other facts of the item: it rests on them
                paths += [f"{list_name}[{index}].{name}" for name in derivation.inputs
                          if value_at(entry, name) is not None]
    return paths
