"""The spine: Profile + as_of -> facts -> durable-rules -> decisions -> Result."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from engine.amounts import wan
from engine.as_of import check_as_of
from engine.compile import compile_book
from engine.compiled import Fired
from engine.decide import Context, decide_all
from engine.errors import from_validation_error
from engine.facts import build_facts
from engine.loader import RuleBook, default_rules
from engine.near_miss import with_near_misses
from engine.openings import Situation
from engine.plausibility import input_warnings
from engine.profile import Profile
from engine.result import Derived, MeasureResult, Result, RulesRelease, Totals, trusted
from engine.session import RuleSession, session_for
from engine.size_standard import SIZE_CLASSES

ZERO = Decimal(0)


def session(book: RuleBook) -> RuleSession:
    return session_for(f"huiqi_{book.version}", lambda: compile_book(book.ir))


# Profile.model_validate without its keyword checks, a batch calls it once per enterprise
VALIDATE = Profile.__pydantic_validator__.validate_python


def parse_profile(data: Any) -> Profile:
    """Validate raw input; raise ``ProfileError`` naming each bad field."""
    try:
        return VALIDATE(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None


def _size_basis(book: RuleBook, group: str | None, profile: Profile) -> str | None:
    if group is None or book.size_standard.row(group) is None:
        return None
    parts = []
    fields = book.size_standard.fields_of(group)
    for metric in book.size_standard.metric_fields.values():
        if metric.field not in fields:
            continue
        value = getattr(profile, metric.field)
        if value is None:
            parts.append(f"{metric.label} 未知")
        elif metric.unit == "万元":
            parts.append(f"{metric.label} {wan(value)} 万元")  # exact: a rounded figure can cross a line
        else:
            parts.append(f"{metric.label} {value}")
    return f"{group}: " + ", ".join(parts)


# Enterprises evaluated together in a durable-rules run: one assert, one round of actions and one
# retraction for all of them instead of one each.
ENTERPRISES_PER_SESSION = 32


def evaluate(profile: Profile, as_of: dt.date | None = None, book: RuleBook | None = None,
             near_miss: bool = True) -> Result:
    """Evaluate every measure for ``profile`` on ``as_of`` (default: today)."""
    return evaluate_many([profile], as_of, book, near_miss)[0]


def evaluate_many(
    profiles: Sequence[Profile], as_of: dt.date | None = None, book: RuleBook | None = None,
    near_miss: bool = True,
) -> list[Result]:
    """Evaluate several profiles at once (a batch): the same results as one ``evaluate`` each.

    ``near_miss=False`` leaves every ``near_miss`` empty: a batch that writes lists of who is
    eligible has no use for them, and they cost about a third of an evaluation
    (engine.near_miss, README 引导式问答)."""
    book = book or default_rules()
    as_of = check_as_of(as_of or dt.date.today())
    results: list[Result] = []
    plan = book.fact_plan
    for start in range(0, len(profiles), ENTERPRISES_PER_SESSION):
        group = profiles[start:start + ENTERPRISES_PER_SESSION]
        dumps = [profile.model_dump(exclude_none=True) for profile in group]
        facts = [build_facts(dump, as_of, key, plan) for key, dump in enumerate(dumps)]
        firings = _fire(book, facts)
        results += [_result(book, profile, dumps[key], as_of, facts[key], firings[key], near_miss)
                    for key, profile in enumerate(group)]
    return results


def _fire(book: RuleBook, facts: list[list[dict[str, Any]]]) -> list[list[Fired]]:
    """Run the rules over the facts of several enterprises; what fired, per enterprise.

    One run for all the facts: what the enterprise rules derive (industry group, size class) is
    asserted into the same sid, where the item rules that read it meet it (forward chaining)."""
    fired: list[list[Fired]] = [[] for _ in facts]
    for firing in session(book).fire([fact for own in facts for fact in own]):
        fired[firing[2]].append(firing)
    return fired


def _result(book: RuleBook, profile: Profile, dump: dict[str, Any], as_of: dt.date,
            facts: list[dict[str, Any]], firings: list[Fired], near_miss: bool = True) -> Result:
    ctx = Context.build(
        book, dump, facts, firings,
        book.local_units.local_for(profile.district, profile.zone),
    )
    results = decide_all(ctx)
    return assemble(book, profile, dump, as_of, facts, ctx.derived, results, near_miss, ctx.fired)


def assemble(book: RuleBook, profile: Profile, dump: dict[str, Any], as_of: dt.date, facts: list[dict[str, Any]],
             derived_values: dict[str, str], results: list[MeasureResult], near_miss: bool = True,
             fired: Mapping[str, Collection[int]] | None = None) -> Result:
    """The Result of one enterprise from its measures' results, whichever backend decided them:
    near misses, derived facts, totals and input warnings (``facts``: as ``build_facts`` gives them;
    ``fired``: what the Rete rules fired, when they decided, which the near misses read)."""
    if near_miss:
        items: dict[str, list[dict[str, Any]]] = {}
        for fact in facts[1:]:
            items.setdefault(fact["t"], []).append(fact)
        known_lists = {name: items.get(name, []) for name, value in dump.items() if isinstance(value, list)}
        where = Situation(book.ir, facts[0], known_lists, derived_values, (), book.fact_plan.worked_out, dump, fired)
        results = with_near_misses(book.money_measures, where, results)
    size_class = derived_values.get("size_class")
    group = derived_values.get("industry_group")
    # every part below is built by the engine with its model's types, in the model's field order
    # (engine.result.trusted): validating them again cost a tenth of an evaluation
    derived = trusted(Derived, {
        "industry_group": group, "size_class": size_class, "size_class_label": SIZE_CLASSES.get(size_class or ""),
        "size_basis": _size_basis(book, group, profile),
    })
    exact = up_to = potential = ZERO
    for money in book.money_measures:  # only these can bring yuan (near_miss.money_measures)
        r = results[money.index]
        status = r.status
        if status == "eligible":
            amount = r.amount
            if amount.yuan is not None:
                if amount.kind == "exact":
                    exact += amount.yuan
                elif amount.kind == "up_to":
                    up_to += amount.yuan
        elif status == "undetermined" and r.potential_yuan:
            potential += r.potential_yuan
    totals = trusted(Totals, {"exact_yuan": exact, "up_to_yuan": up_to, "potential_yuan": potential})
    size_fields = book.size_standard.fields_of(group) if group else []
    warnings = input_warnings(profile, as_of, derived_values, size_fields)
    return trusted(Result, {
        "as_of": as_of, "rules_version": book.version, "rules_release": _release(book), "derived": derived,
        "results": results, "totals": totals, "warnings": warnings,
    })


def _release(book: RuleBook) -> RulesRelease | None:
    release = book.release
    return None if release is None else trusted(RulesRelease, {"name": release.name, "date": release.date})
