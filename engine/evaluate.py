"""The spine: Profile + as_of -> facts -> durable-rules -> decisions -> Result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from engine.amounts import yuan
from engine.compile import compile_book, derived_fact
from engine.decide import Context, decide
from engine.errors import from_validation_error
from engine.facts import build_facts
from engine.loader import RuleBook, default_rules
from engine.profile import Profile
from engine.result import Derived, Result, Totals
from engine.session import RuleSession, sessions_for
from engine.size_standard import SIZE_CLASSES


def sessions(book: RuleBook) -> dict[str, RuleSession]:
    return sessions_for(
        f"huiqi_{book.version}", lambda: compile_book(book.measures, book.derived, book.size_standard)
    )


def parse_profile(data: Any) -> Profile:
    """Validate raw input; raise ``ProfileError`` naming each bad field."""
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def _size_basis(book: RuleBook, group: str | None, profile: Profile) -> str | None:
    if group is None or book.size_standard.row(group) is None:
        return None
    parts = []
    for metric in book.size_standard.metric_fields.values():
        if metric.field not in book.size_standard.fields_of(group):
            continue
        value = getattr(profile, metric.field)
        if value is None:
            parts.append(f"{metric.label} 未知")
        elif metric.unit == "万元":
            parts.append(f"{metric.label} {yuan(Decimal(value) / 10_000)} 万元")
        else:
            parts.append(f"{metric.label} {value}")
    return f"{group}: " + ", ".join(parts)


def evaluate(profile: Profile, as_of: dt.date | None = None, book: RuleBook | None = None) -> Result:
    """Evaluate every measure for ``profile`` on ``as_of`` (default: today)."""
    book = book or default_rules()
    as_of = as_of or dt.date.today()
    facts = build_facts(profile, as_of)
    rulesets = sessions(book)
    firings = rulesets["ent"].run(facts[:1])
    # what the enterprise rules derived (size class, …) is asserted again beside the items
    derived = [derived_fact(tag) for tag in dict.fromkeys(f.tag for f in firings if f.tag.startswith("derived|"))]
    for fact_type in {fact["t"] for fact in facts[1:]}:
        if fact_type in rulesets:  # a list no rule reads needs no evaluation
            firings += rulesets[fact_type].run([f for f in facts if f["t"] == fact_type] + derived)
    ctx = Context.build(
        book, profile.model_dump(exclude_none=True), facts, firings,
        book.local_units.local_for(profile.district, profile.zone),
    )
    results = [decide(measure, ctx) for measure in book.measures]
    size_class = ctx.derived.get("size_class")
    group = ctx.derived.get("industry_group")
    derived = Derived(
        industry_group=group,
        size_class=size_class,  # type: ignore[arg-type]
        size_class_label=SIZE_CLASSES.get(size_class or ""),
        size_basis=_size_basis(book, group, profile),
    )
    amounts = [r["amount"] for r in results if isinstance(r, dict) and r["status"] == "eligible"]
    totals = Totals(
        exact_yuan=sum((a.yuan for a in amounts if a.kind == "exact" and a.yuan is not None), Decimal(0)),
        up_to_yuan=sum((a.yuan for a in amounts if a.kind == "up_to" and a.yuan is not None), Decimal(0)),
    )
    # one validation of the whole tree (informational results are shared, already validated)
    return Result.model_validate(
        {"as_of": as_of, "rules_version": book.version, "derived": derived, "results": results, "totals": totals}
    )
