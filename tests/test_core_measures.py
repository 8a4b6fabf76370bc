"""M30, M31, M8 and M43 at the boundaries the text states; expected values from the text."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from engine import evaluate, parse_profile
from tests.contract_shape import contract_problems

AS_OF = dt.date(2026, 1, 15)
SMALL_RETAILER = {"entity_type": "enterprise", "industry_code": "F52", "employees": 8,
                  "revenue_yuan": 900_000, "founded_on": "2025-01-01", "district": "集美区"}
M31_HIRE = {"contract_months": 12, "social_insurance_months": 6}


@pytest.mark.parametrize(("hires", "expected"), [(1, 1000), (29, 29_000), (30, 30_000), (31, 30_000)])
def test_m31_total_capped_at_30000(hires: int, expected: int) -> None:
    result = evaluate(parse_profile({**SMALL_RETAILER, "hires": [M31_HIRE] * hires}), AS_OF)
    m31 = result.by_measure("M31")
    assert (m31.status, m31.amount.kind, m31.amount.yuan) == ("eligible", "up_to", Decimal(expected))
    if hires == 31:
        assert "上限" in (m31.amount.formula or "")


@pytest.mark.parametrize(("founded_on", "status"), [
    ("2023-01-15", "eligible"),  # exactly 3 years before as_of: 3年内 includes the day
    ("2023-01-14", "ineligible"),
    ("2024-02-29", "eligible"),
])
def test_m31_founded_within_three_years(founded_on: str, status: str) -> None:
    result = evaluate(parse_profile({**SMALL_RETAILER, "founded_on": founded_on, "hires": [M31_HIRE]}), AS_OF)
    assert result.by_measure("M31").status == status


@pytest.mark.parametrize(("birth", "status"), [
    ("2009-09-02", "ineligible"),  # 15 on the hire date 2025-09-01
    ("2009-09-01", "eligible"),  # 16 that day
    ("2000-09-02", "eligible"),  # 24 (25 the next day)
    ("2000-09-01", "ineligible"),  # 25 that day
])
def test_m30_age_at_hire_date(birth: str, status: str) -> None:
    hire = {"birth_date": birth, "hired_on": "2025-09-01", "registered_unemployed": True, "contract_months": 12,
            "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    result = evaluate(parse_profile({**SMALL_RETAILER, "hires": [hire]}), AS_OF)
    assert result.by_measure("M30").status == status


def test_m30_counts_per_qualifying_person() -> None:
    good = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True,
            "contract_months": 12, "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    not_registered = {**good, "registered_unemployed": False}
    result = evaluate(parse_profile({**SMALL_RETAILER, "hires": [good, not_registered, good]}), AS_OF)
    m30 = result.by_measure("M30")
    assert m30.amount.yuan == Decimal(3000)
    assert m30.amount.formula == "2 人 × 1,500 元 = 3,000 元"
    assert any(reason.startswith("hires[1]") for reason in m30.reasons)


@pytest.mark.parametrize(("employees", "revenue", "percent", "amount"), [
    (8, 900_000, 50, "1000000.00"),  # SME: 50%
    (1500, 600_000_000, 30, "600000.00"),  # large retailer: the general 30%
])
def test_m43_prepayment_share(employees: int, revenue: int, percent: int, amount: str) -> None:
    profile = {**SMALL_RETAILER, "employees": employees, "revenue_yuan": revenue,
               "procurement_contracts": [{"amount_yuan": 2_000_000, "prepayment_arranged": True},
                                         {"amount_yuan": 500_000, "prepayment_arranged": False}]}
    m43 = evaluate(parse_profile(profile), AS_OF).by_measure("M43")
    assert (m43.status, m43.amount.kind) == ("eligible", "share")
    assert (m43.amount.percent, m43.amount.base_yuan, m43.amount.yuan) == (
        Decimal(percent), Decimal(2_000_000), Decimal(amount))


def test_m43_unknown_size_is_undetermined() -> None:
    profile = {"procurement_contracts": [{"amount_yuan": 100_000, "prepayment_arranged": True}]}
    m43 = evaluate(parse_profile(profile), AS_OF).by_measure("M43")
    assert m43.status == "undetermined"
    assert "industry_code" in m43.missing


def test_empty_profile_is_all_undetermined_or_informational() -> None:
    result = evaluate(parse_profile({}), AS_OF)
    assert [r.measure for r in result.results] == [f"M{i}" for i in range(1, 51)]
    assert {r.status for r in result.results} <= {"undetermined", "informational"}
    assert all(r.missing for r in result.results if r.status == "undetermined")
    assert result.totals.exact_yuan == 0 and result.totals.up_to_yuan == 0


def test_local_units_from_district_and_zone() -> None:
    in_zone = evaluate(parse_profile({"district": "湖里区", "zone": "自贸区"}), AS_OF).by_measure("M30")
    assert in_zone.units.local == ["自贸委"]
    in_district = evaluate(parse_profile({"district": "同安区"}), AS_OF).by_measure("M30")
    assert in_district.units.local == ["同安区人民政府"]
    assert in_district.units.city == ["市人社局"]


def test_cli_json_passes_contract_check() -> None:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "api.cli", "check", "examples/small-manufacturer.json",
                          "--as-of", "2026-01-15", "--json"], cwd=root, capture_output=True, text=True, check=True)
    assert contract_problems(json.loads(out.stdout)) == []
    assert json.loads(out.stdout)["totals"]["exact_yuan"] == 3000


def test_cli_bad_input_exits_2_naming_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"employees": -3, "hires": [{"birth_date": "2003-02-30"}],
                               "credit_code": "91350200MA2Y0DQ93F"}), encoding="utf-8")
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-m", "api.cli", "check", str(bad)], cwd=root,
                         capture_output=True, text=True)
    assert out.returncode == 2
    assert "employees：不能小于 0" in out.stderr
    assert "hires[0].birth_date" in out.stderr
    assert "credit_code：统一社会信用代码校验位不正确" in out.stderr
    assert "Traceback" not in out.stderr
