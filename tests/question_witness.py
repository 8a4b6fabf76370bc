"""Brute force for the property "every question asked can change a result".

For a question's field, try candidate answers taken from the constants the rule trees compare
that fact with (each threshold, one below and one above; both booleans; every choice; dates
around the ages and year spans the rules count), and look for two profiles that differ in that
field alone and get a different status or amount from ``evaluate`` (the Rete reference).

A fact can matter only together with others still open: the age needs both dates; one hire's
insurance months matter once its contract is long enough; the industry matters once the figures
of its size group are known. So the facts an answer opens may be given on both sides, and when
that is not enough, the other open facts of one of its measures are answered first, each with
the first candidate that keeps this field open (trying the candidates from the smallest, then from
the largest: three months of insurance at 0 would keep six months of social insurance out of
reach). The analysis under test only picks the order:
the witness itself is two real evaluations that differ in this one field.
"""

from __future__ import annotations

import datetime as dt
import itertools
from functools import cache
from typing import Any

from engine import ProfileError, evaluate, parse_profile
from engine.facts import fact_field
from engine.interview import step, with_answer
from engine.ir import All, Any_, Attr, Compare, Node
from engine.loader import default_rules
from engine.openings import Situation, brings_money, measure_openings
from engine.questions import Ask
from engine.wording import lookup

INDUSTRIES = ("C39", "F51", "F52", "E", "K7010", "K7020", "J66", "I65", "A", "L72", "G54", "G592", "H62", "M73")
PROGRAMS = ("闽货华夏行", "福品销全球", "优势产业主题重点境外展会", "其他展会")
YEARS = (0, 1, 3, 4, 5, 6, 16, 20, 25, 30)


def _nodes(node: Node) -> list[Compare]:
    if isinstance(node, Compare):
        return [node]
    return [leaf for part in node.parts for leaf in _nodes(part)]


@cache
def _constants() -> dict[str, frozenset[Any]]:
    """Every constant a tree compares an attribute with."""
    ir = default_rules().ir
    trees: list[Node] = []
    for measure in ir.measures:
        trees += [c.node for c in measure.conditions]
        if measure.items is not None:
            trees += [c.node for c in measure.items.conditions]
    for derived in ir.derived:
        trees += [node for _, node in derived.values]
    found: dict[str, set[Any]] = {}
    for tree in trees:
        for leaf in _nodes(tree if isinstance(tree, (All, Any_, Compare)) else tree):
            if isinstance(leaf.left, Attr) and not isinstance(leaf.right, (Attr,)) and not hasattr(leaf.right, "years"):
                found.setdefault(leaf.left.name, set()).add(leaf.right)
    # a fact worked out from others (the months of social insurance, the smallest of three) is
    # compared through its inputs: they take its constants too
    for (_, attribute), inputs in default_rules().fact_plan.worked_out.items():
        for name in inputs:
            found.setdefault(name, set()).update(found.get(attribute, ()))
    return {name: frozenset(values) for name, values in found.items()}


def _shift(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _dates(data: dict[str, Any], field: str, as_of: dt.date) -> list[str]:
    days = {_shift(as_of, -k) for k in YEARS} | {_shift(as_of, 1)}
    item = data
    if "[" in field:
        name, rest = field.split("[", 1)
        item = data.get(name, [])[int(rest.split("]")[0])]
    for value in item.values():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            known = dt.date.fromisoformat(value)
            days |= {_shift(known, sign * k) for k in (16, 20, 24, 25, 30) for sign in (1, -1)}
    return sorted(d.isoformat() for d in days)


def candidates(data: dict[str, Any], ask: Ask, as_of: dt.date) -> list[Any]:
    if ask.kind == "count":
        return [0, 1]
    if ask.kind == "bool":
        return [True, False]
    if ask.kind == "industry":
        return list(INDUSTRIES)
    if ask.kind == "choice":
        return [value for value, _ in ask.choices]
    if ask.kind == "date":
        return _dates(data, ask.field, as_of)
    if ask.kind == "text":
        return list(PROGRAMS)
    inner = ask.field.split("].", 1)[-1]
    values: set[Any] = {0}
    for constant in _constants().get(fact_field(inner), ()):
        if isinstance(constant, int) and not isinstance(constant, bool):
            values |= {constant - 1, constant, constant + 1}
    if ask.kind == "money":
        return sorted({str(max(0, v) / 100) if v % 100 else max(0, v) // 100 for v in values}, key=float)
    return sorted(max(0, v) for v in values)


@cache
def _money_measures() -> frozenset[str]:
    return frozenset(m.id for m in default_rules().ir.measures if brings_money(m.amount) and not m.informational)


def _outcome(data: dict[str, Any], as_of: dt.date, money_only: bool = False) -> list[tuple[str, Any]] | None:
    try:
        profile = parse_profile(data)
    except ProfileError:
        return None
    return [(r.status, r.amount) for r in evaluate(profile, as_of).results
            if not money_only or r.measure in _money_measures()]


def _differs(data: dict[str, Any], ask: Ask, as_of: dt.date, depth: int = 6, money_only: bool = False) -> bool:
    """Two profiles, with and without an answer to ``ask``, that ``evaluate`` tells apart; the facts
    this answer opens (the industry opens the figures of its size group) may be given on both sides."""
    for value in candidates(data, ask, as_of):
        without, with_ = data, with_answer(data, ask.field, value)
        for _ in range(depth):
            before, after = _outcome(without, as_of, money_only), _outcome(with_, as_of, money_only)
            if after is None:
                break
            if before != after:
                return True
            then = [a for a in step(with_, as_of).questions
                    if a.field != ask.field and set(a.measures) & set(ask.measures)]
            if not then:
                break
            kept = None
            for extra in candidates(with_, then[0], as_of):
                both = with_answer(without, then[0].field, extra), with_answer(with_, then[0].field, extra)
                outcomes = _outcome(both[0], as_of, money_only), _outcome(both[1], as_of, money_only)
                if None in outcomes:
                    continue
                if outcomes[0] != outcomes[1]:
                    return True
                kept = kept or both
            if kept is None:
                break
            without, with_ = kept
    return False


def _open(data: dict[str, Any], measure_id: str, as_of: dt.date, missed_too: bool = False) -> list[str]:
    """The measure's open facts as the interview sees them; with ``missed_too``, then what
    ``evaluate`` still misses.

    The interview can know more than the engine says: revenue 0 is micro in every size group, so
    it does not ask for the industry behind the code "H" (住宿业 or 餐饮业?), while the engine,
    which classifies by the group, still misses it; the witness must answer both."""
    profile = parse_profile(data)
    ir = default_rules().ir
    where = Situation.of(default_rules(), profile.model_dump(exclude_none=True), as_of)
    found = list(measure_openings(ir.measure(measure_id), where))
    if not missed_too:
        return found
    missed = evaluate(profile, as_of).by_measure(measure_id).missing
    return found + [path for path in missed if path not in found and lookup(path)[0] is not None]


def _fake_ask(field: str) -> Ask:
    question, section, _ = lookup(field)
    if question is None:  # a list: how many
        return Ask(field, field, field, "count", (), "", 1, "", (), 0, 0)  # type: ignore[arg-type]
    return Ask(field, field, field, question.kind, question.choices, question.unit, 1, "", (), 0, 0)  # type: ignore[arg-type]


def changes_a_result(data: dict[str, Any], ask: Ask, as_of: dt.date, money_only: bool = False) -> bool:
    """Whether some answer to ``ask`` changes a status or an amount (of a measure that brings money,
    with ``money_only``)."""
    if _differs(data, ask, as_of, money_only=money_only):
        return True
    for missed_too, measure_id, backwards in itertools.product((False, True), ask.measures, (False, True)):
        context = data
        for _ in range(40):
            others = [p for p in _open(context, measure_id, as_of, missed_too) if p != ask.field]
            if not others:
                break
            other = _fake_ask(others[0])
            kept = None
            options = candidates(context, other, as_of)
            for value in reversed(options) if backwards else options:  # the smallest first, then the largest
                trial = with_answer(context, other.field, value)
                if _outcome(trial, as_of) is not None and ask.field in _open(trial, measure_id, as_of, missed_too):
                    kept = trial
                    break
            if kept is None:
                break
            context = kept
        if _differs(context, ask, as_of, money_only=money_only):
            return True
    return False
