"""The Profile validates exactly as it did before issue 14's validation work (tests/profile_before.py).

For every input, in each way the project validates (Python lax: the batch, the form, FastAPI's body;
JSON strict: the API's ``strict_body``; and the two other modes for good measure) the outcome must be
the same: the profile (its dump, its JSON bytes, which fields were set) or the errors (pydantic's type,
path, message and context, and the contract's FieldError in Chinese and English, in order). Inputs:
odd values of every kind for every field, drawn by hypothesis, and every record of a synthetic registry
(spoiled rows included). The JSON schema, which the OpenAPI document carries, must be the same text.
"""

from __future__ import annotations

import datetime as dt
import json
import typing
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from stdnum.cn import uscc

from batch.csv_index import CsvIndex
from batch.synth import synthesize
from engine import profile as after
from engine.annotations import bare_type
from engine.errors import from_validation_error
from tests import profile_before as before
from tests.strategies import hire, profiles

MODES = (("python", False), ("python", True), ("json", False), ("json", True))


def _errors(exc: ValidationError) -> tuple[Any, ...]:
    raw = [(e["type"], e["loc"], e["msg"], repr(e.get("ctx")), repr(e.get("input")))
           for e in exc.errors(include_url=False)]
    return "rejected", raw, [asdict(f) for f in from_validation_error(exc).errors]


def outcome(model: type[BaseModel], data: Any, mode: str = "python", strict: bool = False) -> tuple[Any, ...]:
    try:
        if mode == "json":
            profile = model.model_validate_json(data, strict=strict)
        else:
            profile = model.model_validate(data, strict=strict)
    except ValidationError as exc:
        return _errors(exc)
    except Exception as exc:  # noqa: BLE001 - whatever escapes must escape the same way
        return "raised", type(exc).__name__, str(exc)
    return ("valid", repr(profile.model_dump()), profile.model_dump_json(),
            repr(profile.model_dump(exclude_unset=True)), repr(profile.model_dump(mode="json")))


def assert_same(data: Any) -> None:
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        text = None  # Python values JSON has no spelling for (Decimal, date, bytes...)
    for mode, strict in MODES:
        if mode == "json" and text is None:
            continue
        given_ = text if mode == "json" else data
        assert outcome(after.Profile, given_, mode, strict) == outcome(before.Profile, given_, mode, strict), (
            mode, strict, data)


# --- odd values, by the kind of field they are given to ---
NUMBER_TEXT = ["5", " 5", "5 ", "+5", "-5", "1e3", "５", "٥", "5.00", "5.001", "5.", "0.5", ".5", "0x10",
               "1_000", "1,000", "", " ", "NaN", "nan", "inf", "-inf", "Infinity", "00", "007", "-0", "5\n",
               "\t5", "1200", "1201", "10000000", "10000001", "999999999999999", "1000000000000000",
               "999999999999999.99", "999999999999999.999", "0.00", "0.01", "0.001", "12.3", "1.10"]
BOOL_TEXT = ["true", "false", "True", "FALSE", " true", "是", "否", "yes", "no", "on", "off", "1", "0", "t",
             "f", "y", "n", "2", "tru"]
DATE_TEXT = ["2024-01-01", "2024-1-1", "20240101", "2024/01/01", "2024-01-01T00:00:00", "2024-01-01T00:00:01",
             "2024-01-01T00:00:00Z", "2024-01-01 00:00", "2024-02-30", "0000-01-01", "9999-12-31",
             "1700000000", " 2024-01-01 ", "２０２４-01-01", "2024-01-01\n", "1700000000000"]
# where the checks of a count or an amount turn
INT_EDGES = [0, -1, 1200, 1201, 10_000_000, 10_000_001, 2**63, -(2**63) - 1]
MONEY_EDGES = [0, -1, 1, 10**15 - 1, 10**15, 10**17, 10**17 - 1, 0.01, 0.001, 0.1, 0.105, 1e15, 1e14, 99999999999999.99,
               999999999999999.9, float("nan"), float("inf"), Decimal("-0"), Decimal("0E+3"), Decimal("1E+14"),
               Decimal("1E+15"), Decimal("0.010"), Decimal("0.001"), Decimal("999999999999999.99"),
               Decimal("1000000000000000.00"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")]
numbers = st.one_of(
    st.integers(), st.integers(-3, 1300), st.floats(), st.floats(0, 1e6).map(lambda f: round(f, 3)),
    st.sampled_from([0, 1, -1, 1200, 1201, 10_000_000, 10_000_001, 10**15 - 1, 10**15, 10**17, 2**63, 2**64,
                     0.1, 0.105, 0.01, 1e3, 1e15, 1e16, 5.0, -0.0, 1.5, 0.005, 12.345, 999999999999999.9]),
    st.decimals(), st.decimals(min_value=0, max_value=10**16, places=3))
odd = st.one_of(
    st.none(), st.booleans(), numbers,
    st.sampled_from(NUMBER_TEXT + BOOL_TEXT + DATE_TEXT), numbers.map(str),
    st.from_regex(r"\A[ +\-]?[0-9０-９]{0,18}(\.[0-9]{0,3})?[ ]?\Z"),
    st.dates().map(dt.date.isoformat), st.dates(), st.datetimes(), st.text(max_size=12),
    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.binary(max_size=4), st.tuples(st.integers()))


def _code(body: str) -> str:
    total = sum(uscc._alphabet.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + uscc._alphabet[(31 - total) % 31]


CODE_BODY = st.tuples(st.text(st.sampled_from("0123456789"), min_size=8, max_size=8),
                      st.text(st.sampled_from(uscc._alphabet), min_size=9, max_size=9)).map("".join)
codes = st.one_of(
    CODE_BODY.map(_code), CODE_BODY.map(_code).map(str.lower), CODE_BODY.map(_code).map(lambda c: f" {c} "),
    CODE_BODY.map(_code).map(lambda c: f"{c[:6]}-{c[6:]}"), CODE_BODY.map(lambda b: b + "0"),
    CODE_BODY, st.text(st.sampled_from(uscc._alphabet + "IOSVZ -０"), max_size=20))
texts = st.one_of(st.text(max_size=30), st.sampled_from(["x" * 99, "x" * 100, "x" * 101, "名" * 200, "名" * 201,
                                                         " 名 ", "\u3000名\u3000", "C3911", "c3911", "C39111"]))


def _scalar(annotation: Any, name: str) -> st.SearchStrategy[Any]:
    if typing.get_origin(annotation) is typing.Literal:
        choices = [str(c) for c in typing.get_args(annotation)]
        return st.sampled_from(choices + [f" {choices[0]}", choices[0].upper(), choices[0] + "x"])
    if name == "credit_code":
        return codes
    if annotation is bool:
        return st.one_of(st.booleans(), st.sampled_from(BOOL_TEXT), st.sampled_from([0, 1, 2, 0.0, 1.0]))
    if annotation is int:
        return st.one_of(st.integers(0, 1300), st.integers(0, 1300).map(str), st.sampled_from(NUMBER_TEXT),
                         st.sampled_from(INT_EDGES), st.sampled_from(INT_EDGES).map(str))
    if annotation is Decimal:
        return st.one_of(st.decimals(0, 10**12, places=2).map(str), st.integers(0, 10**16),
                         st.sampled_from(NUMBER_TEXT), st.floats(0, 1e16), st.sampled_from(MONEY_EDGES),
                         st.sampled_from(MONEY_EDGES).map(str))
    if annotation is dt.date:
        return st.one_of(st.dates().map(dt.date.isoformat), st.sampled_from(DATE_TEXT))
    return texts


def values(model: type[BaseModel]) -> dict[str, st.SearchStrategy[Any]]:
    """Per field of ``model``: a plausible value (often valid, as text or typed) or an odd one."""
    out: dict[str, st.SearchStrategy[Any]] = {}
    for name, info in model.model_fields.items():
        annotation = bare_type(info.annotation)
        if typing.get_origin(annotation) is list:
            item = bare_type(typing.get_args(annotation)[0])
            plausible: st.SearchStrategy[Any] = st.lists(st.one_of(fields(item), odd), max_size=3)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            plausible = fields(annotation)
        else:
            plausible = _scalar(annotation, name)
        out[name] = st.one_of(plausible, plausible, odd)
    out["unknown_field"] = odd
    return out


def fields(model: type[BaseModel]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of ``model``'s fields, each plausible or odd, sometimes with a field it does not have."""
    return st.fixed_dictionaries({}, optional=values(model))


def _text(value: Any) -> Any:
    """A valid profile as a CSV registry hands it over: every scalar as text."""
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return str(value).lower() if isinstance(value, bool) else str(value)


def _spoiled(data: dict[str, Any], changes: list[tuple[str, Any]]) -> dict[str, Any]:
    return {**data, **dict(changes)}


PROFILE_VALUES = values(before.Profile)
change = st.sampled_from(sorted(PROFILE_VALUES)).flatmap(lambda name: st.tuples(st.just(name), PROFILE_VALUES[name]))
valid = st.one_of(profiles, profiles.map(_text))
# mostly valid profiles (typed as JSON has them, or all text as a CSV has them), a field or two spoiled
nearly_valid = st.tuples(valid, st.lists(change, max_size=2)).map(lambda t: _spoiled(*t))


# hires whose dates come in every order and spelling: the model validator compares them
hire_dates = st.tuples(st.dates(dt.date(1950, 1, 1), dt.date(2030, 12, 31)), st.integers(-3, 3), st.booleans()).map(
    lambda t: {"birth_date": t[0].isoformat() if t[2] else t[0],
               "hired_on": (t[0] + dt.timedelta(days=t[1])).isoformat()})
hires = st.tuples(hire_dates, st.one_of(hire, fields(before.Hire))).map(lambda t: {**t[1], **t[0]})
inputs = st.one_of(nearly_valid, nearly_valid.flatmap(
    lambda data: st.lists(hires, max_size=3).map(lambda h: {**data, "hires": h})), fields(before.Profile), odd)


# --- every odd value in every field, one at a time, in what is otherwise valid ---
ODD_VALUES: list[Any] = [
    None, True, False, [], {}, [1], {"a": 1}, b"5", (5,), dt.date(2024, 1, 1), dt.datetime(2024, 1, 1),
    dt.datetime(2024, 1, 1, 0, 0, 1), 5.0, 1.5, -0.0, 1e3, 1e16, 2**64, "x" * 201, "名" * 101, " 名 ", "\u3000",
    "9135020300A4CG861H", "9135020300a4cg861h", " 9135020300A4CG861H ", "9135020300A4CG861J", "C3911", "Ｃ3911",
    *NUMBER_TEXT, *BOOL_TEXT, *DATE_TEXT, *INT_EDGES, *map(str, INT_EDGES), *MONEY_EDGES, *map(str, MONEY_EDGES)]
VALID = {  # one of each list item, every field set, as a CSV registry hands it over
    "credit_code": "9135020300A4CG861H", "name": "厦门渡浪咨询有限公司", "entity_type": "enterprise",
    "industry_code": "L7211", "employees": "408", "revenue_yuan": "37704000", "total_assets_yuan": "49477000.5",
    "founded_on": "1995-12-03", "district": "思明区", "zone": "自贸区", "declared_size_class": "small",
    **dict.fromkeys(("foreign_trade", "converted_from_individual_business", "above_designated_size",
                     "dishonesty_record", "recruitment_consortium_member", "group_recruitment_outside",
                     "uses_existing_land", "in_filed_reclaimed_sea", "debts_settled",
                     "simple_deregistration_barred"), "true"),
    "existing_land_since": "2020-01-01",
    "hires": [{"birth_date": "2000-05-13", "hired_on": "2025-07-18", "registered_unemployed": "true",
               "contract_months": "36", "social_insurance_months": "3",
               "insurance_months": {"unemployment": "8", "work_injury": "8", "pension": "7"}}],
    "loans": [{"kind": "equipment_renewal", "principal_yuan": "1990000", "term_months": "24"}],
    "procurement_contracts": [{"amount_yuan": "830000.10", "prepayment_arranged": "false"}],
    "exhibitions": [{"program": "海峡两岸交易会", "fees_yuan": "54000"}],
    "designations": [{"kind": "specialized_sme", "recognized_on": "2024-08-11"}],
    "projects": [{"program": "other", "selected": "false"}],
    "events": [{"kind": "other", "organizer": "true", "held_on": "2024-01-01"}],
    "procurement_projects": [{"category": "goods", "budget_yuan": "1", "above_procurement_threshold": "true",
                              "suitable_for_sme": "false"}],
    "receivables": [{"debtor_kind": "other", "amount_yuan": "0.01", "overdue": "true"}],
    "violations": [{"first_violation": "true", "minor": "true", "harm": "none", "corrected_in_time": "true"}],
}


def _with(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = list(data) if isinstance(data, list) else dict(data)
    copy[path[0]] = _with(data[path[0]], path[1:], value)
    return copy


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value of ``data``: the values themselves, and the lists and objects holding them."""
    inner = enumerate(data) if isinstance(data, list) else data.items() if isinstance(data, dict) else ()
    return [prefix] + [p for key, value in inner for p in _paths(value, (*prefix, key))]


def test_every_odd_value_in_every_field_validates_as_before() -> None:
    assert outcome(before.Profile, VALID)[0] == "valid"
    cases = 0
    for path in _paths(VALID)[1:]:
        around = {path[0]: VALID[path[0]]}  # the field alone (or its list alone): quicker, and as telling
        for value in ODD_VALUES:
            assert_same(_with(around, path, value))
            cases += 1
    assert cases > 10_000


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inputs)
@example({"employees": True})
@example({"revenue_yuan": True, "employees": "1e3", "loans": [{"principal_yuan": "+5", "term_months": 1.5}]})
@example({"hires": [{"birth_date": "2000-01-01", "hired_on": "2000-01-01"}]})
@example({"hires": [{"birth_date": "2000-01-01", "hired_on": "1999-12-31", "contract_months": False}] * 1001})
@example({"revenue_yuan": 0.105, "total_assets_yuan": 1e16, "employees": 10_000_001, "name": " x "})
def test_every_odd_input_validates_as_before(data: Any) -> None:
    assert_same(data)


def test_every_record_of_a_synthetic_registry_validates_as_before(tmp_path: Path) -> None:
    index = CsvIndex(synthesize(20_000, 1, tmp_path / "registry", "csv"))
    try:
        records = [r.data for r in index.records() if r.data is not None and r.error is None]
    finally:
        index.close()
    rejected = 0
    for data in records:
        was = outcome(before.Profile, data)
        assert outcome(after.Profile, data) == was, data
        rejected += was[0] == "rejected"
    assert len(records) == 20_000 and rejected > 50  # spoiled rows are in, and they stay rejected


def test_the_json_schema_is_the_same_text() -> None:
    for mode in ("validation", "serialization"):
        assert (json.dumps(after.Profile.model_json_schema(mode=mode), ensure_ascii=False)
                == json.dumps(before.Profile.model_json_schema(mode=mode), ensure_ascii=False))


def test_the_fields_read_the_same() -> None:
    """The batch's file layout, Arrow and Polars types are read off the annotations (engine.annotations)."""
    def shape(model: type[BaseModel]) -> list[tuple[str, str, str | None]]:
        return [(name, str(bare_type(info.annotation)).replace(before.__name__, "engine.profile"),
                 info.description) for name, info in model.model_fields.items()]
    for name in ("Profile", "Hire", "InsuranceMonths", "Loan", "ProcurementContract", "Exhibition", "Project",
                 "Event", "Designation", "ProcurementProject", "Receivable", "Violation"):
        assert shape(getattr(after, name)) == shape(getattr(before, name)), name
