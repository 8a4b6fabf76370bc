"""Issue 11, point 4: contradictory input is flagged on the Result, not silently used."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from engine import ProfileError, evaluate, parse_profile

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 1, 15)
SMALL = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35, "revenue_yuan": 12_000_000,
         "total_assets_yuan": 8_000_000, "founded_on": "2024-03-01", "district": "湖里区"}


def _warnings(profile: dict) -> list[tuple[str, list[str]]]:
    return [(w.message_zh, w.fields) for w in evaluate(parse_profile(profile), AS_OF).warnings]


def test_a_plausible_profile_has_no_warning() -> None:
    hire = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "social_insurance_months": 3,
            "insurance_months": {"unemployment": 3, "work_injury": 4, "pension": 3}}
    assert _warnings({**SMALL, "hires": [hire], "designations": [{"kind": "little_giant"}]}) == []


def test_a_large_enterprise_with_an_sme_designation() -> None:
    large = {**SMALL, "employees": 1200, "revenue_yuan": 500_000_000}
    (warning,) = _warnings({**large, "designations": [{"kind": "innovative_sme"}, {"kind": "little_giant"}]})
    assert "大型企业" in warning[0] and "专精特新“小巨人”企业" in warning[0]
    assert warning[1] == ["designations[0].kind", "designations[1].kind", "employees", "revenue_yuan"]


def test_founded_after_the_evaluation_day() -> None:
    (warning,) = _warnings({**SMALL, "founded_on": "2026-01-16"})
    assert warning == ("成立日期 2026-01-16 晚于评估日 2026-01-15：企业在评估日尚未成立", ["founded_on"])
    assert _warnings({**SMALL, "founded_on": "2026-01-15"}) == []  # founded that very day


def test_hired_after_the_evaluation_day_and_before_the_founding() -> None:
    hires = [{"hired_on": "2026-01-16"}, {"hired_on": "2024-02-29"}, {"hired_on": "2024-03-01"}]
    later, earlier = _warnings({**SMALL, "hires": hires})
    assert later == ("第 1 名新招用人员的招用日期晚于评估日 2026-01-15：尚未招用", ["hires[0].hired_on"])
    assert earlier == ("第 2 名新招用人员的招用日期早于企业成立日期 2024-03-01", ["hires[1].hired_on", "founded_on"])


def test_a_birth_on_or_after_the_hire_date_stays_an_input_error() -> None:
    # no reading of it can be true: refused, with the field named (engine.profile.Hire)
    with pytest.raises(ProfileError) as caught:
        parse_profile({"hires": [{"birth_date": "2025-09-01", "hired_on": "2025-09-01"}]})
    assert caught.value.errors[0].field == "hires[0].hired_on"


@pytest.mark.parametrize(("figure", "value", "hint"), [
    ("revenue_yuan", 12_000_000 * 10_000, "“元”为单位的数填进了“万元”栏"),  # 1,200 万元 typed as yuan into 万元
    ("total_assets_yuan", 800, "“万元”为单位的数当作了“元”"),  # 800 万元 read as yuan
])
def test_money_implausible_for_the_headcount(figure: str, value: int, hint: str) -> None:
    (warning,) = _warnings({**SMALL, figure: value})
    assert hint in warning[0] and warning[1] == [figure, "employees"]


@pytest.mark.parametrize("revenue", [1_000_000_000 * 35, 100 * 35, 0])
def test_money_at_the_bounds_is_not_flagged(revenue: int) -> None:
    # 10亿元 and 100 元 a person are the bounds themselves; no revenue at all is plausible (a start-up)
    assert _warnings({**SMALL, "revenue_yuan": revenue}) == []


def test_months_of_social_insurance_apart_from_the_three_insurances_are_not_flagged() -> None:
    # medical and maternity insurance are not asked: 6 months of social insurance and 3 of each of the
    # three can both be true (examples/small-manufacturer.json has such hires)
    hire = {"social_insurance_months": 6, "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    assert _warnings({**SMALL, "hires": [hire]}) == []


def test_the_api_returns_the_warnings() -> None:
    body = {"profile": {**SMALL, "founded_on": "2026-02-01"}, "as_of": "2026-01-15"}
    answer = TestClient(create_app()).post("/api/v1/evaluate", json=body)
    assert answer.status_code == 200
    assert answer.json()["warnings"] == [
        {"message_zh": "成立日期 2026-02-01 晚于评估日 2026-01-15：企业在评估日尚未成立", "fields": ["founded_on"]}]
    assert len(answer.json()["results"]) == 50  # the evaluation still runs


def test_the_cli_prints_the_warnings(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps({**SMALL, "founded_on": "2026-02-01"}), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "api.cli", "check", str(path), "--as-of", "2026-01-15"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0
    assert "请核对" in done.stdout and "成立日期 2026-02-01 晚于评估日 2026-01-15" in done.stdout
