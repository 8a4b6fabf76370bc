"""The columnar backend answers exactly as durable-rules, down to the byte.

Every enterprise's whole Result (status, amount, formula, reasons, missing paths, units, notes,
potential, derived facts, totals) is compared as JSON with ``engine.evaluate.evaluate_many``:
over a synthetic registry, over hypothesis profiles with unknowns everywhere and long lists, and
over edge profiles whose dates and amounts sit on the constants of the rules.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch.synth import profiles as synthetic
from engine import ProfileError, parse_profile
from engine.columnar import compiled, evaluate_columns
from engine.columnar import evaluate as columnar_evaluate
from engine.columnar.compiler import NotCompilable
from engine.columnar.expr import shifted
from engine.columnar.frames import build_frames, frames_of
from engine.evaluate import evaluate_many
from engine.ir import Compare, Shifted, shift
from engine.loader import default_rules
from engine.profile import Profile
from tests.strategies import profiles as any_profile

AS_OF = dt.date(2026, 1, 15)
BOOK = default_rules()
DIFFERENTIAL_N = 20_000


def _valid(raw: list[dict[str, Any]]) -> list[Profile]:
    out = []
    for data in raw:
        try:
            out.append(parse_profile(data))
        except ProfileError:
            continue
    return out


def _json(results: list[Any]) -> list[Any]:
    return [r.model_dump(mode="json") for r in results]


def assert_same(profiles: list[Profile], as_of: dt.date, slice_size: int = 2_000, as_json: bool = True) -> None:
    """One columnar run over all profiles, compared slice by slice (bounded memory): as the JSON of
    the contract, or (large runs: serialising costs more than evaluating) as models, field by field,
    with the JSON compared for every result that holds money."""
    run = evaluate_columns(profiles, as_of)
    for start in range(0, len(profiles), slice_size):
        which = range(start, min(start + slice_size, len(profiles)))
        columnar = run.results(which)
        rete = evaluate_many([profiles[k] for k in which], as_of)
        if not as_json:
            for k, a, b in zip(which, columnar, rete, strict=True):
                assert a == b, f"enterprise {k}: {profiles[k].model_dump(mode='json', exclude_none=True)}"
                for x, y in zip(a.results, b.results, strict=True):
                    if x.amount.kind != "none":
                        assert x.model_dump_json() == y.model_dump_json(), (k, x.measure)
            continue
        for k, a, b in zip(which, _json(columnar), _json(rete), strict=True):
            assert a == b, f"enterprise {k}: {profiles[k].model_dump(mode='json', exclude_none=True)}"


def test_every_measure_compiles_to_columns() -> None:
    assert compiled().refused == {}
    assert set(compiled().measures) == {m.id for m in BOOK.measures if m.kind != "informational"}


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2024, 2, 29), dt.date(2030, 12, 31)])
def test_synthetic_registry_gives_identical_results(as_of: dt.date) -> None:
    n = DIFFERENTIAL_N if as_of == AS_OF else 1_000
    profiles = _valid(list(synthetic(n, 7)))
    assert len(profiles) > n * 0.95
    assert_same(profiles, as_of, as_json=n < DIFFERENTIAL_N)


many_profiles = st.lists(any_profile, min_size=1, max_size=12)
as_of_dates = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2031, 12, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=many_profiles, as_of=as_of_dates)
def test_hypothesis_profiles_give_identical_results(raw: list[dict[str, Any]], as_of: dt.date) -> None:
    assert_same(_valid(raw), as_of)


# --- edge profiles: dates and amounts on the constants of the rules -----------------------

def _constants() -> dict[str, set[Any]]:
    """Every constant a comparison of the rules reads, by attribute; and every year shift."""
    found: dict[str, set[Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, Compare):
            if isinstance(node.right, Shifted):
                found.setdefault("@years", set()).add(node.right.years)
            elif isinstance(node.right, int | str | bool) and not isinstance(node.right, bool):
                found.setdefault(node.left.name, set()).add(node.right)  # type: ignore[union-attr]
            return
        for part in node.parts:
            walk(part)

    for measure in BOOK.ir.measures:
        for condition in measure.conditions:
            walk(condition.node)
        for condition in measure.items.conditions if measure.items else ():
            walk(condition.node)
    for spec in BOOK.ir.derived:
        for _, node in spec.values:
            walk(node)
    return found


CONSTANTS = _constants()
YEARS = sorted(CONSTANTS["@years"])


def _near_int(name: str) -> st.SearchStrategy[int]:
    values = sorted(v for v in CONSTANTS.get(name, ()) if isinstance(v, int))
    if not values:
        return st.integers(0, 100)
    return st.sampled_from(values).flatmap(lambda v: st.sampled_from([max(v - 1, 0), v, v + 1]))


def _near_fen(name: str) -> st.SearchStrategy[str]:
    return _near_int(name).map(lambda fen: f"{fen // 100}.{fen % 100:02d}")


def _date(value: int) -> dt.date:
    return dt.date(value // 10_000, value // 100 % 100, value % 100)


def _years_before(day: dt.date, years: int, nudge: int) -> str:
    """The date ``years`` before ``day`` as engine.ir.shift reads it, moved by ``nudge`` days."""
    target = day.year - years
    try:
        base = day.replace(year=target)
    except ValueError:  # 29 February into a common year
        base = dt.date(target, 3, 1)
    return (base + dt.timedelta(days=nudge)).isoformat()


nudges = st.sampled_from([-1, 0, 1])
EDGE_DAYS = [dt.date(2024, 2, 29), dt.date(2025, 2, 28), dt.date(2025, 3, 1), dt.date(2025, 12, 31),
             dt.date(2026, 1, 1), AS_OF]


@st.composite
def edge_hire(draw: st.DrawFn) -> dict[str, Any]:
    hired = draw(st.sampled_from(EDGE_DAYS))
    hire: dict[str, Any] = {"hired_on": hired.isoformat(),
                            "birth_date": _years_before(hired, draw(st.sampled_from(YEARS)), draw(nudges))}
    if hire["birth_date"] >= hire["hired_on"]:
        hire["birth_date"] = "2000-01-01"
    extra = {"registered_unemployed": st.booleans(), "contract_months": _near_int("contract_months"),
             "social_insurance_months": _near_int("social_insurance_months"),
             "insurance_months": st.fixed_dictionaries({}, optional={
                 k: _near_int(f"insurance_months__{k}") for k in ("unemployment", "work_injury", "pension")})}
    hire.update(draw(st.fixed_dictionaries({}, optional=extra)))
    return hire


@st.composite
def edge_profile(draw: st.DrawFn, as_of: dt.date) -> dict[str, Any]:
    base = draw(any_profile)
    edges = draw(st.fixed_dictionaries({}, optional={
        "employees": _near_int("employees"),
        "revenue_yuan": _near_fen("revenue_fen"),
        "total_assets_yuan": _near_fen("total_assets_fen"),
        "founded_on": st.tuples(st.sampled_from(YEARS), nudges).map(lambda p: _years_before(as_of, *p)),
        "existing_land_since": st.tuples(st.sampled_from(YEARS), nudges).map(lambda p: _years_before(as_of, *p)),
        "hires": st.lists(edge_hire(), max_size=40),
        "procurement_contracts": st.lists(st.fixed_dictionaries({}, optional={
            "amount_yuan": _near_fen("amount_fen"), "prepayment_arranged": st.booleans()}), max_size=6),
        "exhibitions": st.lists(st.fixed_dictionaries({}, optional={
            "program": st.sampled_from(sorted(v for v in CONSTANTS.get("program", {"闽货华夏行"})
                                              if isinstance(v, str))),
            "fees_yuan": _near_fen("fees_fen")}), max_size=5),
        "loans": st.lists(st.fixed_dictionaries({}, optional={
            "kind": st.sampled_from(["key_tech_upgrade", "equipment_renewal", "working_capital", "other"]),
            "principal_yuan": _near_fen("principal_fen"), "term_months": _near_int("term_months")}), max_size=4),
    }))
    return {**base, **edges}


@st.composite
def edge_batch(draw: st.DrawFn) -> tuple[dt.date, list[dict[str, Any]]]:
    as_of = draw(st.sampled_from([*EDGE_DAYS, dt.date(2028, 2, 29)]))
    validity = sorted({d for m in BOOK.measures for d in (m.validity.from_, m.validity.to) if d is not None})
    if validity and draw(st.booleans()):
        as_of = draw(st.sampled_from(validity)) + dt.timedelta(days=draw(nudges))
    return as_of, draw(st.lists(edge_profile(as_of), min_size=1, max_size=8))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(batch=edge_batch())
def test_edge_profiles_give_identical_results(batch: tuple[dt.date, list[dict[str, Any]]]) -> None:
    as_of, raw = batch
    assert_same(_valid(raw), as_of)


def test_no_enterprise_at_all() -> None:
    run = evaluate_columns([], AS_OF)
    assert run.results() == [] and list(run.eligible("M30")) == []


def test_empty_and_unknown_lists_and_empty_profiles() -> None:
    profiles = [parse_profile(p) for p in (
        {}, {"hires": []}, {"industry_code": "C3911", "employees": 35, "revenue_yuan": 12_000_000, "hires": []},
        {"industry_code": "J6620", "declared_size_class": "small", "loans": []},
        {"industry_code": "C", "employees": 5},  # group known only by section
    )]
    assert_same(profiles, AS_OF)


def test_columnar_shift_is_the_engine_date_rule() -> None:
    days = [dt.date(2024, 2, 29), dt.date(2023, 2, 28), dt.date(2000, 1, 1), dt.date(2025, 12, 31)]
    values = [d.year * 10_000 + d.month * 100 + d.day for d in days]
    for years in (1, 3, 16, 25):
        frame = pl.DataFrame({"d": values}).select(shifted(pl.col("d"), years).alias("s"))
        assert frame.get_column("s").to_list() == [shift(v, years) for v in values]


def test_a_measure_the_compiler_refuses_runs_on_rete_and_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    real = columnar_evaluate.compile_measure

    def refuse_m30(ir: Any, plan: Any, derivations: Any = None) -> Any:
        if ir.id == "M30":
            raise NotCompilable("M30: 测试用的不支持结构")
        return real(ir, plan, derivations)

    monkeypatch.setattr(columnar_evaluate, "compile_measure", refuse_m30)
    monkeypatch.setattr(columnar_evaluate, "_COMPILED", {})
    profiles = _valid(list(synthetic(300, 3)))
    run = evaluate_columns(profiles, AS_OF)
    assert run.on_rete == {"M30": "M30: 测试用的不支持结构"}
    assert _json(run.results()) == _json(evaluate_many(profiles, AS_OF))
    assert any(result.by_measure("M30").status == "eligible" for result in run.results())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(raw=many_profiles, as_of=as_of_dates)
def test_frames_read_off_profiles_are_the_facts_of_engine_facts(raw: list[dict[str, Any]], as_of: dt.date) -> None:
    profiles = _valid(raw)
    fast = frames_of(profiles, as_of, BOOK.fact_plan)
    reference = build_frames([p.model_dump(exclude_none=True) for p in profiles], as_of, BOOK.fact_plan)
    assert fast.ent.equals(reference.ent)
    for name, frame in reference.items.items():
        assert fast.items[name].equals(frame), name
        assert fast.listed[name].equals(reference.listed[name]), name


def test_the_web_path_never_imports_the_columnar_backend() -> None:
    import subprocess
    import sys

    check = ("import sys, api.app, engine.evaluate; "
             "assert 'engine.columnar' not in sys.modules and 'polars' not in sys.modules, sorted(sys.modules)")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
