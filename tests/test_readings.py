"""Issue 11, point 2: readings that never over-promise.

Each expected value is read off the policy text by hand: M43 encourages purchasers to raise an
SME's prepayment to 50% or more ("可提高至50%以上") above a general floor of 30% ("不低于…30%");
the size class is never explained with a rounded figure that crosses its threshold.
"""

from __future__ import annotations

import datetime as dt

import pytest

from api.text_report import render_text
from engine import evaluate, parse_profile

AS_OF = dt.date(2026, 1, 15)
CONTRACT = {"procurement_contracts": [{"amount_yuan": 2_000_000, "prepayment_arranged": True}]}


def _m43(employees: int, revenue: int):
    profile = {"industry_code": "C3911", "employees": employees, "revenue_yuan": revenue, **CONTRACT}
    return evaluate(parse_profile(profile), AS_OF)


def test_m43_for_an_sme_says_can_be_raised_to_50_percent_with_the_30_percent_floor() -> None:
    m43 = _m43(35, 12_000_000).by_measure("M43")
    assert m43.amount.percent == 50 and m43.amount.yuan == 1_000_000  # the figure the text names for SMEs
    assert "可提高至50%以上" in m43.amount.label and "30%" in m43.amount.label
    told = " ".join([m43.amount.label, m43.amount.formula or "", *m43.reasons, *m43.notes])
    assert "不低于50%" not in told and "不低于合同金额的50%" not in told and "不低于合同金额 50%" not in told


def test_m43_for_a_large_enterprise_is_the_30_percent_floor() -> None:
    m43 = _m43(1200, 500_000_000).by_measure("M43")
    assert m43.amount.percent == 30 and m43.amount.label == "预付款不低于合同金额的30%"


def test_the_text_report_words_m43_as_the_text_does() -> None:
    text = render_text(_m43(35, 12_000_000))
    assert "可提高至50%以上" in text and "不低于合同金额 50%" not in text and "不低于 50%" not in text


@pytest.mark.parametrize(("revenue", "shown", "size_class"), [
    (2_999_999, "营业收入 299.9999 万元", "micro"),  # below 300 万元: micro, and never "300 万元"
    (2_999_999.99, "营业收入 299.999999 万元", "micro"),
    (3_000_000, "营业收入 300 万元", "small"),
    (12_000_000, "营业收入 1,200 万元", "small"),
])
def test_the_size_basis_shows_exact_figures(revenue: float, shown: str, size_class: str) -> None:
    # 工业: small needs 20 people and 300 万元 of revenue, micro is below either (工信部联企业〔2011〕300号)
    profile = {"industry_code": "C3911", "employees": 35, "revenue_yuan": str(revenue)}
    derived = evaluate(parse_profile(profile), AS_OF).derived
    assert derived.size_class == size_class
    assert shown in derived.size_basis
    if size_class == "micro":
        assert "300 万元" not in derived.size_basis


def test_the_m8_window_is_a_documented_parameter_shown_in_the_catalogue() -> None:
    from api.catalogue_view import detail_of
    from engine import default_rules

    (parameter,) = detail_of(default_rules().measure("M8")).parameters
    assert parameter.name == "new_since" and parameter.value == "2025-01-01"
    assert "本工具的理解" in parameter.reading and parameter.decided_on


def test_an_old_little_giant_is_not_new_and_the_reason_says_it_is_the_tools_reading() -> None:
    profile = {"industry_code": "C3911", "employees": 180, "revenue_yuan": 90_000_000,
               "designations": [{"kind": "little_giant", "recognized_on": "2016-07-01"}]}
    m8 = evaluate(parse_profile(profile), AS_OF).by_measure("M8")
    assert m8.status == "ineligible" and m8.amount.yuan is None
    assert any("早于 2025-01-01" in r and "本工具的理解" in r for r in m8.reasons)
