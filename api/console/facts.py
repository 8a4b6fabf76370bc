"""Where each fact of a console profile comes from, and which of them a benefit relies on.

A profile at the desk is the registry's profile with the form's answers laid over it.
Each leaf fact is ``registry`` (the same value as the imported registry) or ``declared``
(told at the desk: new, or different from the registry). For every eligible measure the
facts it rests on come from ``engine.reliance`` (read off the rule conditions); the
declared ones among them must be proven before a unit grants anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from api.form_model import label_for
from api.form_questions import BASIC, INDUSTRIES, LISTS, OTHER, Question
from engine import ProfileError, RuleBook, parse_profile
from engine.amounts import yuan
from engine.catalogue import FIELD_LABELS
from engine.profile import Profile
from engine.reliance import relied_paths, value_at
from engine.result import Result

REGISTRY, DECLARED = "registry", "declared"
FORM_OWNED = {q.path for q in BASIC} | {s.name for s in LISTS}
INDUSTRY_CODES = {code for _, group in INDUSTRIES for code, _ in group}


def _text(value: Any, scale: int = 1) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if scale != 1:
        return format((Decimal(str(value)) / scale).normalize(), "f")
    if isinstance(value, float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    return str(value)


def form_values(profile: dict[str, Any]) -> dict[str, str]:
    """A profile (contract JSON) as the self-check form's input values: the inverse of ``parse_form``."""
    values: dict[str, str] = {}
    for q in BASIC:
        value = profile.get(q.path)
        if value is None:
            continue
        if q.kind == "industry":
            code = str(value)
            values["industry_code"] = code if code in INDUSTRY_CODES else OTHER
            if code not in INDUSTRY_CODES:
                values["industry_code.other"] = code
        else:
            values[q.path] = _text(value, q.scale)
    for section in LISTS:
        items = profile.get(section.name)
        if items is None:
            continue
        values[f"has.{section.name}"] = "yes" if items else "no"
        for index, item in enumerate(items):
            for q in section.fields:
                value = value_at(item or {}, q.path)
                if value is not None:
                    values[f"{section.name}[{index}].{q.path}"] = _text(value, q.scale)
    return values


def merged(registry: dict[str, Any] | None, answered: dict[str, Any], identity: dict[str, Any]) -> dict[str, Any]:
    """The registry profile, with every fact the form asks replaced by the form's answer (blank: unknown)."""
    base = {k: v for k, v in (registry or {}).items() if k not in FORM_OWNED and k not in ("credit_code", "name")}
    return {**base, **{k: v for k, v in identity.items() if v}, **answered}


def normalized(profile: dict[str, Any]) -> dict[str, Any]:
    """Contract JSON without unknowns, so equal facts compare equal whatever their spelling."""
    try:
        return parse_profile(profile).model_dump(mode="json", exclude_none=True)
    except ProfileError:
        return {}


def leaves(data: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten contract JSON to ``{path: value}`` with contract paths (``hires[0].insurance_months.pension``)."""
    if isinstance(data, dict):
        out: dict[str, Any] = {}
        for key, value in data.items():
            out.update(leaves(value, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(data, list) and data:
        out = {}
        for index, value in enumerate(data):
            out.update(leaves(value, f"{prefix}[{index}]"))
        return out
    return {prefix: data}


def typed_leaves(profile: dict[str, Any] | None) -> dict[str, Any]:
    """``{path: value}`` with values as the Profile types them (``Decimal``, ``date``...), so facts compare
    by value: ``12000000.00`` from a registry export equals ``1200`` 万元 × 10,000 from the form."""
    try:
        return leaves(parse_profile(profile or {}).model_dump(exclude_none=True))
    except ProfileError:
        return {}


def sources(profile: dict[str, Any], registry: dict[str, Any] | None) -> dict[str, str]:
    """``{path: registry | declared}`` for every known fact of ``profile`` (both contract JSON)."""
    known = typed_leaves(registry) if registry else {}
    return {path: REGISTRY if path in known and known[path] == value else DECLARED
            for path, value in typed_leaves(profile).items() if path not in ("credit_code", "name")}


def fact_label(path: str) -> str:
    label = label_for(path)
    if label != "整体":
        return label
    leaf = path.split(".")[-1]
    info = Profile.model_fields.get(leaf)
    return FIELD_LABELS.get(leaf) or (info.description if info and info.description else leaf)


_ITEM_PATH = re.compile(r"^(\w+)\[\d+\]\.(.+)$")
_BASIC = {q.path: q for q in BASIC}
_ITEM_QUESTIONS = {(s.name, q.path): q for s in LISTS for q in s.fields}
INDUSTRY_LABELS = {code: label for _, group in INDUSTRIES for code, label in group}


def _question(path: str) -> Question | None:
    match = _ITEM_PATH.match(path)
    return _ITEM_QUESTIONS.get((match.group(1), match.group(2))) if match else _BASIC.get(path)


def shown(path: str, value: Any) -> str:
    """A fact as staff read it: choice labels, 是/否, money in yuan, 没有 for an empty list."""
    if value == []:
        return "没有"
    question = _question(path)
    if question is not None and question.kind == "money":
        return f"{yuan(Decimal(str(value)))} 元"
    if path == "industry_code" and value in INDUSTRY_LABELS:
        return f"{INDUSTRY_LABELS[value]}（{value}）"
    text = _text(value)
    if question is not None and question.choices:
        return dict(question.choices).get(text, text)
    if question is not None and question.kind == "int" and question.unit:
        return f"{text} {question.unit}"
    if isinstance(value, bool):
        return "是" if value else "否"
    return text


@dataclass(frozen=True)
class Fact:
    path: str
    label: str
    value: Any
    source: str
    department: str | None = None  # a registry fact from department sources: the department it came from

    @property
    def shown(self) -> str:
        return shown(self.path, self.value)


def relied_declared(result: Result, profile: dict[str, Any], facts_source: dict[str, str],
                    book: RuleBook) -> dict[str, list[Fact]]:
    """For each eligible measure: the facts it relies on that were only declared at the desk."""
    flat = leaves(profile)
    out: dict[str, list[Fact]] = {}
    for item in result.results:
        if item.status != "eligible":
            continue
        declared = [Fact(p, fact_label(p), flat.get(p), DECLARED)
                    for p in relied_paths(item, profile, book, result.derived.industry_group)
                    if facts_source.get(p, DECLARED) == DECLARED]
        if declared:
            out[item.measure] = declared
    return out


def department_of(path: str, provenance: dict[str, dict[str, Any]] | None) -> str | None:
    """The department a registry fact came from: its own entry, its list item's, or its top field's."""
    if not provenance:
        return None
    item = path.split("].")[0] + "]" if "]." in path else None
    for key in (path, item, path.split(".")[0].split("[")[0]):
        if key and key in provenance:
            return provenance[key].get("department")
    return None


def fact_table(profile: dict[str, Any], facts_source: dict[str, str],
               provenance: dict[str, dict[str, Any]] | None = None) -> list[Fact]:
    facts = []
    for path, value in leaves(profile).items():
        if path in ("credit_code", "name"):
            continue
        source = facts_source.get(path, DECLARED)
        department = department_of(path, provenance) if source == REGISTRY else None
        facts.append(Fact(path, fact_label(path), value, source, department))
    return facts
