"""Issue 11, point 2: one date rule for every age and every "N年内", 29 February included.

《民法典》第二百零二条: a period in years ends on the corresponding day of the last year, or on
the last day of that month when there is no such day. So a person born on 29 February turns N on
28 February of a common year, and "3年内" of a founding on 29 February 2024 ends on 28 February
2027. Expected values are worked out by hand from that rule.
"""

from __future__ import annotations

import datetime as dt

import pytest

from engine import evaluate, parse_profile
from engine.dates import anniversary
from engine.ir import lower, truth
from engine.rule_models import Test as RuleTest

SMALL_MANUFACTURER = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35,
                      "revenue_yuan": 12_000_000, "district": "湖里区"}


@pytest.mark.parametrize(("date", "years", "expected"), [
    (20240229, 1, 20250228),  # no 29 February in 2025: the last day of February
    (20240229, 4, 20280229),  # 2028 has one
    (20240229, 3, 20270228),
    (20960229, 4, 21000228),  # 2100 is not a leap year (divisible by 100, not by 400)
    (19960229, 4, 20000229),  # 2000 is (divisible by 400)
    (20230228, 1, 20240228),  # 28 February stays 28 February, even into a leap year
    (20240301, 1, 20250301),
    (20000229, 25, 20250228),
])
def test_anniversary(date: int, years: int, expected: int) -> None:
    assert anniversary(date, years) == expected


AGE_16_24 = lower(RuleTest.model_validate({"age": ["birth_date", "hired_on"], "between": [16, 24]}))


@pytest.mark.parametrize(("hired_on", "expected"), [
    (20250227, True),  # 24 周岁: the 25th birthday is 28 February 2025
    (20250228, False),  # 25 周岁 on 28 February of a common year
    (20250301, False),
])
def test_age_of_someone_born_on_29_february(hired_on: int, expected: bool) -> None:
    assert truth(AGE_16_24, {"birth_date": 20000229, "hired_on": hired_on}, {}) is expected


def _m30(birth: str, hired: str) -> str:
    hire = {"birth_date": birth, "hired_on": hired, "registered_unemployed": True, "contract_months": 12,
            "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    result = evaluate(parse_profile({**SMALL_MANUFACTURER, "hires": [hire]}), dt.date(2026, 1, 15))
    return result.by_measure("M30").status


@pytest.mark.parametrize(("birth", "hired", "status"), [
    ("2000-02-29", "2025-02-27", "eligible"),  # 24
    ("2000-02-29", "2025-02-28", "ineligible"),  # 25 on 28 February 2025 (plain YYYYMMDD arithmetic said 24)
    ("2000-02-29", "2025-03-01", "ineligible"),
    ("2008-02-29", "2024-02-28", "ineligible"),  # 15: 2024 has a 29 February, the 16th birthday
    ("2008-02-29", "2024-02-29", "eligible"),  # 16
    ("2008-02-29", "2024-03-01", "eligible"),
])
def test_m30_ages_at_hire_around_29_february(birth: str, hired: str, status: str) -> None:
    assert _m30(birth, hired) == status


@pytest.mark.parametrize(("as_of", "status"), [
    ("2027-02-27", "eligible"),
    ("2027-02-28", "eligible"),  # the last day of "3年内": no 29 February in 2027
    ("2027-03-01", "ineligible"),
])
def test_m31_within_three_years_of_a_founding_on_29_february(as_of: str, status: str) -> None:
    profile = {"entity_type": "enterprise", "industry_code": "F52", "employees": 8, "revenue_yuan": 900_000,
               "founded_on": "2024-02-29", "hires": [{"contract_months": 12, "social_insurance_months": 6}]}
    result = evaluate(parse_profile(profile), dt.date.fromisoformat(as_of))
    assert result.by_measure("M31").status == status
