"""Where each fact of a console profile comes from, and which of them a benefit relies on.

A profile at the desk is the registry's profile with the form's answers laid over it.
Each leaf fact is ``registry`` (the same value as the imported registry) or ``declared``
(told at the desk: new, or different from the registry). For every eligible measure the
facts it rests on come from ``engine.reliance`` (read off the rule conditions); the
declared ones among them must be proven before a unit grants anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.form_model import label_for, shown
from api.form_questions import BASIC, INDUSTRIES, LISTS
from engine import ProfileError, RuleBook, parse_profile
from engine.catalogue import FIELD_LABELS
from engine.profile import Profile
from engine.reliance import relied_paths
from engine.result import Result

REGISTRY, DECLARED = "registry", "declared"
FORM_OWNED = {q.path for q in BASIC} | {s.name for s in LISTS}
INDUSTRY_CODES = {code for _, group in INDUSTRIES for code, _ in group}


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
