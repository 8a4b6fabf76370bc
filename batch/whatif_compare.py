"""One chunk of a what-if: evaluate a run's enterprises under new rules and compare with the run.

Runs in a worker process of ``huiqi batch what-if`` (or in the main one with ``--workers 0``). The
baseline is what the run stored: each enterprise's eligible measures with amount and handling
units. The new side is ``job.evaluate`` over the stored profiles, under the rules of ``job.rules``:
the columnar engine by default (``evaluate_in_columns``, the batch's fastest path, with the same
answers), or durable-rules (``engine.evaluate.evaluate_many``); any function with that signature
can be passed in (see ``WhatIfJob``). Durable-rules names each ruleset after the rules' content
hash, so new rules live beside the current ones in one process.

For every handling unit the question is the one its officers ask: which enterprises join my list
of this measure, which leave it, whose amount changes, and by how much money in all. An enterprise
counts once per measure (unit "*"), and once per unit whose list it is on before or after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

import orjson

from engine import ProfileError, RuleBook, load_rules, parse_profile
from engine.evaluate import evaluate_many
from engine.profile import Profile
from engine.result import MeasureResult


class Evaluated(Protocol):
    """What the comparison reads of one enterprise's evaluation: its measure results."""

    @property
    def results(self) -> Sequence[MeasureResult]: ...


EvaluateMany = Callable[[Sequence[Profile], dt.date, RuleBook], Sequence[Evaluated]]
ALL_UNITS = "*"  # the tally of a measure over all its enterprises, whatever their units
NEW, GONE, AMOUNT = "new", "gone", "amount"  # the change keys of batch/diff.py


@dataclass(frozen=True, slots=True)
class MeasureResults:
    """One enterprise's measure results from the columnar engine (no totals, near misses or warnings)."""

    results: list[MeasureResult]


def evaluate_in_columns(profiles: Sequence[Profile], as_of: dt.date, book: RuleBook) -> list[MeasureResults]:
    """The columnar engine's measure results: equal to ``evaluate_many``'s (tests/test_columnar.py)."""
    from engine.columnar import evaluate_columns  # Polars is imported only where it runs

    return [MeasureResults(r) for r in evaluate_columns(profiles, as_of, book).measure_results()]


ENGINES: dict[str, EvaluateMany] = {"columnar": evaluate_in_columns, "rete": evaluate_many}


@dataclass(frozen=True)
class WhatIfJob:
    rules: str  # the directory of the new rules
    as_of: dt.date
    measures: frozenset[str]
    evaluate: EvaluateMany = evaluate_in_columns


@dataclass(frozen=True, slots=True)
class Eligible:
    """An eligible measure of one enterprise: what a list line needs to be compared."""

    kind: str
    yuan: Decimal | None
    units: tuple[str, ...]
    formula: str | None = None
    reasons: str = ""


# (credit_code, stored profile (JSON text or dict), {measure: Eligible} the run stored)
Member = tuple[str, Any, dict[str, Eligible]]
# one line of a change list: (measure, unit, code, change, name, district, zone, kind, old, new, formula, note);
# unit "*" for the enterprise's own line (all units); money as exact decimal strings
ChangeRow = tuple[str, str, str, str, str | None, str | None, str | None, str, str | None, str | None,
                  str | None, str]


@dataclass
class Tally:
    """One list (a measure, and one unit or all): before and after, and what moved."""

    before: int = 0
    after: int = 0
    gained: int = 0
    lost: int = 0
    changed: int = 0
    before_yuan: dict[str, Decimal] = field(default_factory=dict)  # by amount kind
    after_yuan: dict[str, Decimal] = field(default_factory=dict)

    def count(self, before: Eligible | None, after: Eligible | None) -> str | None:
        """Count one enterprise on this list; its change (``NEW``, ``GONE``, ``AMOUNT``) or ``None``."""
        if before is not None:
            self.before += 1
            _add(self.before_yuan, before)
        if after is not None:
            self.after += 1
            _add(self.after_yuan, after)
        change = change_of(before, after)
        if change == NEW:
            self.gained += 1
        elif change == GONE:
            self.lost += 1
        elif change == AMOUNT:
            self.changed += 1
        return change

    def merge(self, other: Tally) -> None:
        self.before += other.before
        self.after += other.after
        self.gained += other.gained
        self.lost += other.lost
        self.changed += other.changed
        for mine, theirs in ((self.before_yuan, other.before_yuan), (self.after_yuan, other.after_yuan)):
            for kind, value in theirs.items():
                mine[kind] = mine.get(kind, Decimal(0)) + value

    def difference(self, kind: str | None = None) -> Decimal:
        """After minus before, in yuan: of one amount kind, or of all."""
        kinds = [kind] if kind else list({*self.before_yuan, *self.after_yuan})
        return sum((self.after_yuan.get(k, Decimal(0)) - self.before_yuan.get(k, Decimal(0)) for k in kinds),
                   Decimal(0))

    @property
    def kinds(self) -> list[str]:
        return sorted({*self.before_yuan, *self.after_yuan})


def _add(sums: dict[str, Decimal], entry: Eligible) -> None:
    sums[entry.kind] = sums.get(entry.kind, Decimal(0)) + (entry.yuan or Decimal(0))


def change_of(before: Eligible | None, after: Eligible | None) -> str | None:
    if before is None:
        return None if after is None else NEW
    if after is None:
        return GONE
    if before.kind != after.kind or before.yuan != after.yuan:
        return AMOUNT
    return None


@dataclass
class WhatIfOutcome:
    chunk_no: int
    evaluated: int = 0
    invalid: list[tuple[str, str]] = field(default_factory=list)  # (credit_code, why) of profiles no longer valid
    rows: list[ChangeRow] = field(default_factory=list)
    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)  # (measure, unit or "*")

    # rows travel back as one JSON blob, as the batch's results do (batch/worker.py)
    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "rows": orjson.dumps(self.rows)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update({**state, "rows": [tuple(r) for r in orjson.loads(state["rows"])]})


_BOOKS: dict[str, RuleBook] = {}


def book_of(rules: str) -> RuleBook:
    """The new rules in this process, loaded on first use (or handed over by ``remember``)."""
    book = _BOOKS.get(rules)
    if book is None:
        book = _BOOKS[rules] = load_rules(rules)
    return book


def remember(rules: str, book: RuleBook) -> None:
    """The rules the main process has loaded already: its in-process chunks use them (workers load their own)."""
    _BOOKS[rules] = book


def warm_up(job: WhatIfJob, parent: int | None = None) -> None:
    """Process-pool initializer: end with the parent (batch/lifeline.py), then load the new rules
    and build their engine before the first chunk."""
    from batch.lifeline import die_with_parent
    from batch.worker import tune_gc

    die_with_parent(parent)
    job.evaluate([parse_profile({})], dt.date(2026, 1, 1), book_of(job.rules))
    tune_gc()


def compare_chunk(chunk_no: int, members: list[Member], job: WhatIfJob) -> WhatIfOutcome:
    """Evaluate the members under the new rules; the changes and tallies against what the run stored."""
    out = WhatIfOutcome(chunk_no)
    book = book_of(job.rules)
    valid: list[tuple[Member, Profile]] = []
    for member in members:
        data = member[1]
        if data is None:  # never expected: the registry or a snapshot keeps every run's profiles
            out.invalid.append((member[0], "该批次评估时的企业资料已不在数据库中"))
            continue
        try:
            valid.append((member, parse_profile(orjson.loads(data) if isinstance(data, str | bytes) else data)))
        except ProfileError as exc:  # valid when the run stored it; the profile model has changed since
            out.invalid.append((member[0], str(exc.errors[0])))
    results = job.evaluate([profile for _, profile in valid], job.as_of, book)
    for ((code, _, before), profile), result in zip(valid, results, strict=True):
        out.evaluated += 1
        _compare(code, profile, before, result, job.measures, out)
    return out


def _compare(code: str, profile: Profile, before: dict[str, Eligible], result: Evaluated,
             scope: frozenset[str], out: WhatIfOutcome) -> None:
    by_measure = {r.measure: r for r in result.results if r.measure in scope}
    after = {m: _eligible(r) for m, r in by_measure.items() if r.status == "eligible"}
    for measure in sorted({*before, *after}, key=lambda m: int(m[1:])):
        old, new = before.get(measure), after.get(measure)
        note = _note(old, new, by_measure.get(measure))
        units = list(dict.fromkeys([*(old.units if old else ()), *(new.units if new else ())]))
        for unit in [ALL_UNITS, *units]:
            on_before = old if old is not None and (unit == ALL_UNITS or unit in old.units) else None
            on_after = new if new is not None and (unit == ALL_UNITS or unit in new.units) else None
            tally = out.tallies.get((measure, unit))
            if tally is None:
                tally = out.tallies[(measure, unit)] = Tally()
            change = tally.count(on_before, on_after)
            if change is not None:
                shown = on_after or on_before
                assert shown is not None
                out.rows.append((
                    measure, unit, code, change, profile.name, profile.district, profile.zone, shown.kind,
                    _money(on_before), _money(on_after), on_after.formula if on_after else None, note,
                ))


def _eligible(result: MeasureResult) -> Eligible:
    amount = result.amount
    return Eligible(amount.kind, amount.yuan, (*result.units.city, *result.units.local), amount.formula,
                    "；".join(result.reasons))


def _note(old: Eligible | None, new: Eligible | None, result: MeasureResult | None) -> str:
    """Why, in the new rules: the conditions met (gained, changed) or the reason it no longer applies."""
    if new is not None:
        return new.reasons
    if result is None:
        return "新规则中没有这项措施"
    if old is None:
        return ""
    if result.status == "undetermined":
        return f"待确定：缺少 {'、'.join(result.missing[:3])}"
    return "；".join(result.reasons[:2])


def _money(entry: Eligible | None) -> str | None:
    return None if entry is None or entry.yuan is None else str(entry.yuan)
