"""Issue 11, point 3: one fact, asked once.

M31's "为员工缴纳社会保险满6个月" and M30's per-insurance months are one payment record. When a hire
does not give the months of social insurance, they are the smallest of the three per-insurance
months (rules/derived/item_fields.yaml), known only when all three are known.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.form_model import form_values, parse_form
from engine import evaluate, parse_profile
from engine.result import MeasureResult

AS_OF = dt.date(2026, 1, 15)
YOUNG_RETAILER = {"entity_type": "enterprise", "industry_code": "F52", "employees": 8, "revenue_yuan": 900_000,
                  "founded_on": "2025-01-01"}


def _m31(hire: dict) -> MeasureResult:
    profile = parse_profile({**YOUNG_RETAILER, "hires": [{"contract_months": 12, **hire}]})
    return evaluate(profile, AS_OF).by_measure("M31")


def months(unemployment=None, work_injury=None, pension=None) -> dict:
    given = {"unemployment": unemployment, "work_injury": work_injury, "pension": pension}
    return {"insurance_months": {k: v for k, v in given.items() if v is not None}}


def test_three_insurances_paid_six_months_are_six_months_of_social_insurance() -> None:
    m31 = _m31(months(6, 6, 6))
    assert m31.status == "eligible" and m31.amount.yuan == 1000
    assert m31.missing == []


def test_one_insurance_short_of_six_months_fails() -> None:
    m31 = _m31(months(6, 7, 5))  # the smallest is 5
    assert m31.status == "ineligible"
    assert "hires[0]：为该员工缴纳社会保险不满6个月" in m31.reasons


@pytest.mark.parametrize(("given", "asked"), [
    (months(3), ["insurance_months.work_injury", "insurance_months.pension"]),
    (months(6, None, 6), ["insurance_months.work_injury"]),
    ({}, ["insurance_months.unemployment", "insurance_months.work_injury", "insurance_months.pension"]),
])
def test_with_an_insurance_unknown_the_months_are_unknown_and_asked_per_insurance(given: dict, asked: list) -> None:
    m31 = _m31(given)
    assert m31.status == "undetermined"
    assert m31.missing == [f"hires[0].{path}" for path in asked]


def test_months_of_social_insurance_given_directly_come_first() -> None:
    # kept for API and batch inputs that have it
    assert _m31({"social_insurance_months": 6}).status == "eligible"
    assert _m31({"social_insurance_months": 5, **months(6, 6, 6)}).status == "ineligible"


def test_the_form_keeps_a_carried_field_it_does_not_ask() -> None:
    # a registry hire with only the months of social insurance survives the console's form round trip
    profile = {"hires": [{"birth_date": "2003-05-01", "social_insurance_months": 6}]}
    parsed = parse_form(form_values(profile))
    assert parsed.errors == []
    assert parsed.profile["hires"] == [{"birth_date": "2003-05-01", "social_insurance_months": "6"}]  # as typed


def test_the_public_form_asks_the_payment_record_per_insurance_only() -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    page = TestClient(create_app()).get("/form").text
    assert 'name="hires[0].insurance_months.pension"' in page
    assert "hires[0].social_insurance_months" not in page and "社会保险已缴（合计）" not in page
