"""Evaluate many enterprises in columns: the same results as ``engine.evaluate``, byte for byte.

1. Derived facts (industry group, size class) become columns, each from its trees (``BookIR.derive``).
2. Every measure's conditions become state columns (``engine.columnar.compiler``); items are
   packed per item and gathered back per enterprise, in list order.
3. Enterprises whose state columns are equal for a measure form one *signature*: it is worded once
   by the one verdict layer (``engine.verdict``), as the Rete path words it one enterprise at a time.
4. What differs between enterprises of one signature is filled per enterprise: the handling units
   of the locality and, where the amount reads the items (sums, shares, interest), the amount.

A measure the compiler refuses runs on the Rete path (``engine.evaluate.evaluate_many``) and is
named in ``ColumnarRun.on_rete``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from engine.columnar.compiler import MeasureColumns, NotCompilable, compile_measure, enterprise_gate
from engine.columnar.expr import derived_column, truth
from engine.columnar.frames import Frames, enterprise_schema, frames_of
from engine.dates import yyyymmdd
from engine.facts import build_facts, fact_field
from engine.loader import RuleBook, default_rules
from engine.plan import COUNT, FIXED, MeasurePlan, amount_of, outside_validity, potential
from engine.profile import Profile
from engine.result import NO_AMOUNT, AmountResult, MeasureResult, Result, Units
from engine.size_standard import NOT_APPLICABLE_GROUP
from engine.verdict import Verdict, gate_status, verdict

SEPARATOR = "\x1f"  # between the paths of a derived fact's missing inputs


def _missing_column(name: str) -> str:
    return f"{derived_column(name)}:missing"


@dataclass(frozen=True)
class CompiledBook:
    """A rule book compiled to columns once per process: each measure, or why it is not."""

    book: RuleBook
    measures: dict[str, MeasureColumns]
    refused: dict[str, str]  # measure id -> the construct the compiler does not handle

    def derived_columns(self) -> list[list[pl.Expr]]:
        """One step per derived fact, in order (each may read the earlier ones)."""
        steps = []
        for spec in self.book.ir.derived:
            expr = None
            for value, node in spec.values:
                expr = (pl.when(truth(node)) if expr is None else expr.when(truth(node))).then(pl.lit(value))
            assert expr is not None
            steps.append([expr.otherwise(pl.lit(None, dtype=pl.String)).alias(derived_column(spec.name))])
        return steps

    def missing_columns(self) -> list[pl.Expr]:
        """Per derived fact, its inputs to ask for while it is unknown (``decide._derived_inputs_missing``)."""
        schema = enterprise_schema()
        size = self.book.size_standard
        out = []
        for spec in self.book.ir.derived:
            known = pl.col(derived_column(spec.name)).is_not_null()
            if spec.name == "industry_group":
                unknown: pl.Expr = pl.lit("industry_code")
            elif spec.name == "size_class":
                group = pl.col(derived_column("industry_group"))
                by_metric = []
                for metric in ("employees", "revenue", "assets"):
                    path = size.metric_fields[metric].field  # type: ignore[index]
                    groups = [row.group for row in size.groups if path in size.fields_of(row.group)]
                    by_metric.append(pl.when(group.is_in(groups) & pl.col(fact_field(path)).is_null())
                                     .then(pl.lit(path)))
                unknown = (pl.when(group.is_null()).then(pl.lit("industry_code"))
                           .when(group == NOT_APPLICABLE_GROUP).then(pl.lit("declared_size_class"))
                           .otherwise(pl.concat_str(by_metric, separator=SEPARATOR, ignore_nulls=True)))
            else:
                inputs = [pl.when(pl.col(fact_field(f)).is_null()).then(pl.lit(f))
                          if fact_field(f) in schema else pl.lit(f) for f in spec.inputs]
                unknown = pl.concat_str(inputs, separator=SEPARATOR, ignore_nulls=True) if inputs else pl.lit("")
            out.append(pl.when(known).then(pl.lit("")).otherwise(unknown).alias(_missing_column(spec.name)))
        return out


_COMPILED: dict[str, CompiledBook] = {}  # by rules version: the rules of a process do not change


def _compile_book(book: RuleBook) -> CompiledBook:
    measures: dict[str, MeasureColumns] = {}
    refused: dict[str, str] = {}
    for ir in book.ir.measures:
        if ir.informational:
            continue
        try:
            derivations = {f.field: tuple(f.inputs) for f in book.item_fields
                           if ir.items is not None and f.list == ir.items.list}
            measures[ir.id] = compile_measure(ir, book.plans[ir.id], derivations)
        except NotCompilable as exc:
            refused[ir.id] = str(exc)
    return CompiledBook(book, measures, refused)


def compiled(book: RuleBook | None = None) -> CompiledBook:
    """The columns of a rule book, compiled once per process."""
    book = book or default_rules()
    found = _COMPILED.get(book.version)
    if found is None:
        found = _COMPILED[book.version] = _compile_book(book)
    return found


# --- one signature, worded once --------------------------------------------------------

@dataclass(slots=True)
class Signature:
    """Enterprises with the same states for one measure: one verdict, their members."""

    verdict: Verdict
    members: list[int]
    amount: AmountResult | None  # when eligible and the same for every member (else per member)


def _split(text: str) -> list[str]:
    return text.split(SEPARATOR) if text else []


def _word(columns: MeasureColumns, key: dict[str, Any]) -> Verdict:
    plan = columns.plan
    derived_missing = {name: _split(key[_missing_column(name)]) for name in columns.derived}
    codes = {cid: key[columns.column(cid)] for cid in plan.conditions}
    states = [enterprise_gate(codes[c.id], c.reads, derived_missing) for c in plan.gates]
    layout = columns.items
    item_codes: list[int] = key.get(columns.item_column) or [] if layout is not None else []
    listed = key.get(f"{layout.list}:listed") if layout is not None else None

    def item(i: int) -> Any:
        assert layout is not None
        return layout.view(item_codes[i], plan, i, derived_missing)

    def tier_state(tier: Any, index: int) -> Any:
        if tier.enterprise is not None:
            return enterprise_gate(codes[tier.enterprise.id], tier.enterprise.reads, derived_missing)
        assert layout is not None
        grader = next(g for g in layout.graders if g.id == tier.item.id)
        return layout.grader_state(item_codes[index], grader, tier.item.reads, index, derived_missing)

    return verdict(plan, gate_status(states), states, listed, item, tier_state)


def _signatures(columns: MeasureColumns, frame: pl.DataFrame) -> list[Signature]:
    keys = [columns.column(cid) for cid in columns.plan.conditions]
    keys += [_missing_column(name) for name in columns.derived]
    if columns.items is not None:
        keys += [f"{columns.items.list}:listed", columns.item_column]
    found = []
    for row in frame.group_by(keys, maintain_order=True).agg(pl.col("e")).iter_rows(named=True):
        decided = _word(columns, row)
        plan = columns.plan
        amount = None
        if decided.status == "eligible" and plan.amount_reads in (FIXED, COUNT):
            amount = amount_of(plan, [{}] * (max(decided.qualifying) + 1 if decided.qualifying else 0),
                               decided.qualifying, decided.percents)
        found.append(Signature(decided, row["e"], amount))
    return found


# --- a run ------------------------------------------------------------------------------

@dataclass
class ColumnarRun:
    """The outcome of evaluating many enterprises in columns."""

    book: RuleBook
    as_of: dt.date
    profiles: Sequence[Profile]
    derived: dict[str, list[str | None]]  # derived name -> value per enterprise
    signatures: dict[str, list[Signature]]  # measure id -> its signatures (every enterprise in one)
    fixed: dict[str, dict[str, Any]]  # measure id -> the verdict when it is the same for all
    on_rete: dict[str, str]  # measure id -> why it ran on the Rete path
    rete_results: dict[str, list[MeasureResult]] = field(default_factory=dict)
    _member_index: dict[str, list[int]] = field(default_factory=dict)
    # (enterprise, list) -> its items as the profile dumps them; default: read off ``profiles``
    listed_of: Callable[[int, str], list[dict[str, Any]] | None] | None = None

    def eligible(self, measure_id: str) -> Iterator[tuple[int, AmountResult, list[str]]]:
        """(enterprise, amount, reasons) of every enterprise eligible for a measure."""
        if measure_id in self.rete_results:
            for e, result in enumerate(self.rete_results[measure_id]):
                if result.status == "eligible":
                    yield e, result.amount, result.reasons
            return
        plan = compiled(self.book).measures[measure_id].plan if measure_id in self.signatures else None
        for signature in self.signatures.get(measure_id, []):
            if signature.verdict.status != "eligible":
                continue
            assert plan is not None
            for e in signature.members:
                yield e, signature.amount or self._amount(plan, signature.verdict, e), signature.verdict.reasons

    def _amount(self, plan: MeasurePlan, decided: Verdict, e: int) -> AmountResult:
        listed = self._listed(e, plan.items.list) if plan.items is not None else None
        return amount_of(plan, listed, decided.qualifying, decided.percents)

    def results(self, which: Sequence[int] | None = None, near_miss: bool = True) -> list[Result]:
        """The full Result of every enterprise (or of those in ``which``), as ``engine.evaluate`` gives it
        (near misses, totals and warnings by the same ``engine.evaluate.assemble``)."""
        from engine.evaluate import assemble

        book = self.book
        chosen = list(range(len(self.profiles))) if which is None else list(which)
        out = []
        for e, results in zip(chosen, self.measure_results(chosen), strict=True):
            profile = self.profiles[e]
            dump = profile.model_dump(exclude_none=True)
            facts = build_facts(dump, self.as_of, 0, book.fact_plan)
            known = {name: values[e] for name, values in self.derived.items() if values[e] is not None}
            out.append(assemble(book, profile, dump, self.as_of, facts, known, results, near_miss))
        return out

    def measure_results(self, which: Sequence[int] | None = None) -> list[list[MeasureResult]]:
        """Per enterprise (all, or those in ``which``), its measure results in the book's order: the
        ``results`` of a full Result without its totals, near misses and warnings, for a comparison
        of lists that needs no more (``huiqi batch what-if``)."""
        chosen = list(range(len(self.profiles))) if which is None else list(which)
        per_measure = {measure.id: self._measure_results(measure.id, chosen) for measure in self.book.measures}
        return [[per_measure[m.id][e] for m in self.book.measures] for e in chosen]

    def _listed(self, e: int, list_name: str) -> list[dict[str, Any]] | None:
        """An enterprise's item list as the Rete path reads it (the profile's dump, money in yuan)."""
        if self.listed_of is not None:
            return self.listed_of(e, list_name)
        return item_dumps(self.profiles[e], list_name)

    def _members(self, measure_id: str) -> list[int]:
        """Per enterprise, the index of its signature for a measure (built on first use)."""
        found = self._member_index.get(measure_id)
        if found is None:
            found = [0] * len(self.profiles)
            for k, signature in enumerate(self.signatures[measure_id]):
                for e in signature.members:
                    found[e] = k
            self._member_index[measure_id] = found
        return found

    def _measure_results(self, measure_id: str, chosen: list[int]) -> dict[int, MeasureResult]:
        """One measure's results; equal results (one signature, one locality) are one shared object,
        as the Rete path shares them (results are frozen)."""
        if measure_id in self.rete_results:
            return {e: self.rete_results[measure_id][e] for e in chosen}
        measure = self.book.measure(measure_id)
        static = {"measure": measure.id, "title": measure.title, "text": measure.text, "kind": measure.kind,
                  "auto_match": measure.auto_match, "how_to_apply": measure.how_to_apply,
                  "notes": [measure.reading] if measure.reading else []}
        units: dict[tuple[str, ...], Units] = {}
        shared: dict[tuple[int, tuple[str, ...]], MeasureResult] = {}
        fixed = self.fixed.get(measure_id)
        plan = None if fixed is not None else compiled(self.book).measures[measure_id].plan
        signatures = self.signatures.get(measure_id, [])
        of = self._members(measure_id) if fixed is None else []
        out: dict[int, MeasureResult] = {}
        for e in chosen:
            profile = self.profiles[e]
            local = tuple(self.book.local_units.local_for(profile.district, profile.zone))
            if local not in units:
                units[local] = Units(city=measure.units, local=list(local))
            k = -1 if fixed is not None else of[e]
            found = shared.get((k, local))
            if found is not None:
                out[e] = found
                continue
            fields, alike = (fixed, True) if fixed is not None else self._fields(plan, signatures[k], e)  # type: ignore[arg-type]
            out[e] = result = MeasureResult.model_construct(**static, **fields, units=units[local])
            if alike:
                shared[(k, local)] = result
        return out

    def _fields(self, plan: MeasurePlan, signature: Signature, e: int) -> tuple[dict[str, Any], bool]:
        """The enterprise's result fields, and whether they are the same for the whole signature."""
        decided = signature.verdict
        fields: dict[str, Any] = {"status": decided.status, "reasons": decided.reasons, "missing": decided.missing,
                                  "amount": NO_AMOUNT, "potential_yuan": None}
        own = False
        if decided.status == "eligible":
            own = signature.amount is None
            fields["amount"] = signature.amount or self._amount(plan, decided, e)
        elif decided.status == "undetermined":
            listed = self._listed(e, plan.potential_list) if plan.potential_list else None
            counted = [listed[i] for i in decided.possible] if listed else None
            own = bool(counted)
            fields["potential_yuan"] = potential(plan.measure.amount, counted, True) if counted else plan.potential
        return fields, not own


def _fixed(book: RuleBook, measure_id: str, as_of: int) -> dict[str, Any] | None:
    """The result fields when they are the same for every enterprise: informational, or outside
    the measure's validity window on this date."""
    measure = book.measure(measure_id)
    if measure.kind == "informational":
        return {"status": "informational", "reasons": [measure.summary], "missing": [], "amount": NO_AMOUNT,
                "potential_yuan": None}
    why = outside_validity(measure, as_of)
    if why is not None:
        return {"status": "ineligible", "amount": NO_AMOUNT, "reasons": [why], "missing": [], "potential_yuan": None}
    return None


def evaluate_frames(frames: Frames, as_of: dt.date, book: RuleBook,
                    measure_ids: Sequence[str]) -> tuple[dict[str, list[str | None]], dict[str, list[Signature]],
                                                         dict[str, dict[str, Any]]]:
    """Derived values, the signatures of each measure compiled to columns, and the fixed results."""
    plan = compiled(book)
    ent = frames.ent
    for step in plan.derived_columns():
        ent = ent.with_columns(step)
    ent = ent.with_columns(plan.missing_columns())
    derived = {spec.name: ent.get_column(derived_column(spec.name)).to_list() for spec in book.ir.derived}
    fixed: dict[str, dict[str, Any]] = {}
    chosen: list[MeasureColumns] = []
    for measure_id in measure_ids:
        found = _fixed(book, measure_id, yyyymmdd(as_of))
        if found is not None:
            fixed[measure_id] = found
        elif measure_id in plan.measures:
            chosen.append(plan.measures[measure_id])
    ent = ent.with_columns([expr.alias(columns.column(cid)) for columns in chosen
                            for cid, expr in columns.conditions.items()])
    derived_names = [derived_column(spec.name) for spec in book.ir.derived]
    by_list: dict[str, list[MeasureColumns]] = {}
    for columns in chosen:
        if columns.items is not None:
            by_list.setdefault(columns.items.list, []).append(columns)
    for list_name, measures in by_list.items():
        items = frames.items[list_name].join(ent.select("e", *derived_names), on="e", how="left")
        codes = items.select("e", *(m.items.expression().alias(m.item_column) for m in measures))  # type: ignore[union-attr]
        gathered = codes.group_by("e", maintain_order=True).agg(pl.col(m.item_column) for m in measures)
        ent = ent.with_columns(frames.listed[list_name].alias(f"{list_name}:listed"))
        ent = ent.join(gathered, on="e", how="left", maintain_order="left")
    signatures = {columns.id: _signatures(columns, ent) for columns in chosen}
    return derived, signatures, fixed


def evaluate_columns(profiles: Sequence[Profile], as_of: dt.date, book: RuleBook | None = None,
                     measures: Sequence[str] | None = None) -> ColumnarRun:
    """Evaluate ``profiles`` on ``as_of`` in columns (``measures``: these only; default all)."""
    book = book or default_rules()
    return run_frames(frames_of(profiles, as_of, book.fact_plan), profiles, as_of, book, measures)


def item_dumps(profile: Profile, list_name: str) -> list[dict[str, Any]] | None:
    """A profile's items of one list as the Rete path reads them (``model_dump(exclude_none=True)``, money in
    yuan); None when the list is unknown."""
    items = getattr(profile, list_name)
    return None if items is None else [item.model_dump(exclude_none=True) for item in items]


def run_frames(frames: Frames, profiles: Sequence[Profile], as_of: dt.date, book: RuleBook,
               measures: Sequence[str] | None = None,
               listed_of: Callable[[int, str], list[dict[str, Any]] | None] | None = None) -> ColumnarRun:
    """Evaluate enterprises whose frames are built (``profiles``: the same enterprises, read only where a
    measure runs on the Rete path, or where an amount reads the items and ``listed_of`` is not given)."""
    measure_ids = list(measures) if measures is not None else [m.id for m in book.measures]
    derived, signatures, fixed = evaluate_frames(frames, as_of, book, measure_ids)
    refused = {m: why for m, why in compiled(book).refused.items() if m in measure_ids and m not in fixed}
    run = ColumnarRun(book, as_of, profiles, derived, signatures, fixed, refused, listed_of=listed_of)
    if refused:
        from engine.evaluate import evaluate_many

        rete = evaluate_many(profiles, as_of, book)
        run.rete_results = {m: [r.by_measure(m) for r in rete] for m in refused}
    return run
