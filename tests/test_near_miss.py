"""差一点 (engine/near_miss.py): what would make a money measure apply, or why it cannot.

Amounts by hand from the policy text: M30 1,500 元 per qualifying hire (16-24岁、登记失业人员、
签订1年以上劳动合同、三项保险满3个月以上); M31 最高1,000 元 per hire, 总额不超过3万元; M8 一次性100万元.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch.synth import profiles as synthetic_profiles
from engine import ProfileError, evaluate, parse_profile
from engine.interview import with_answer
from engine.result import MeasureResult, Result
from tests.conftest import AS_OF
from tests.strategies import profiles

SMALL_MAKER = {"entity_type": "enterprise", "industry_code": "C39", "employees": 35, "revenue_yuan": 12_000_000,
               "founded_on": "2024-03-01", "designations": [], "exhibitions": []}
HIRE = {"birth_date": "2003-05-01", "hired_on": "2025-09-01", "registered_unemployed": True, "contract_months": 12,
        "social_insurance_months": 6, "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}


def result_of(data: dict[str, Any], as_of: dt.date = AS_OF) -> Result:
    return evaluate(parse_profile(data), as_of)


def texts(item: MeasureResult) -> list[str]:
    return [n.text for n in item.near_miss]


def test_a_contract_one_month_short_says_so_with_the_money() -> None:
    short = {**HIRE, "contract_months": 11}
    m30 = result_of({**SMALL_MAKER, "hires": [HIRE, short]}).by_measure("M30")
    assert m30.status == "eligible" and m30.amount.yuan == 1_500
    answer = next(n for n in m30.near_miss if n.text.startswith("第2名"))
    assert answer.text == "第2名新招用人员：劳动合同期限11个月，差1个月：签订1年以上劳动合同即可计入，可再得1,500元"
    assert answer.actionable and answer.yuan == 1_500 and answer.amount_kind == "exact"
    assert [(c.field, c.value) for c in answer.changes] == [("hires[1].contract_months", 12)]


def test_insurance_months_short_name_each_insurance() -> None:
    short = {**HIRE, "insurance_months": {"unemployment": 2, "work_injury": 3, "pension": 1}}
    m30 = result_of({**SMALL_MAKER, "hires": [short]}).by_measure("M30")
    assert m30.status == "ineligible"
    assert texts(m30)[0] == ("第1名新招用人员：失业保险已缴2个月，差1个月；职工养老保险已缴1个月，差2个月："
                             "缴纳失业、工伤、职工养老保险满3个月以上即可计入，可得1,500元")


def test_one_more_hire_with_the_conditions_of_the_text() -> None:
    m30 = result_of({**SMALL_MAKER, "hires": []}).by_measure("M30")
    assert texts(m30) == ["再招用1名员工（16-24岁、登记失业人员、签订1年以上劳动合同、"
                          "缴纳失业、工伤、职工养老保险满3个月以上），可得1,500元"]
    again = result_of({**SMALL_MAKER, "hires": [HIRE]}).by_measure("M30")
    assert texts(again)[-1].endswith("可再得1,500元")


def test_the_cap_is_said_once_reached() -> None:
    individual = {"entity_type": "individual_business", "industry_code": "F52", "employees": 5}
    counted = {"contract_months": 12, "social_insurance_months": 6}
    m31 = result_of({**individual, "hires": [counted] * 31}).by_measure("M31")
    assert m31.amount.yuan == 30_000
    assert texts(m31) == ["第31人起不再增加（已达30,000元上限）"]
    below = result_of({**individual, "hires": [counted] * 29
                       + [{"contract_months": 12, "social_insurance_months": 5}]}).by_measure("M31")
    assert below.near_miss[0].yuan == 1_000  # the 30th person still fits under the cap


def test_what_cannot_be_changed_is_information_and_never_advice() -> None:
    large = result_of({"industry_code": "C39", "employees": 2_000, "revenue_yuan": 900_000_000, "hires": [HIRE]})
    m30 = large.by_measure("M30")
    assert [(n.actionable, n.text) for n in m30.near_miss] == [
        (False, "企业划型为大型企业，不属于中小微企业（原文“中小微企业”；取决于企业规模，不能通过调整满足）")]
    too_old = {**HIRE, "birth_date": "1990-01-01"}
    m30 = result_of({**SMALL_MAKER, "hires": [too_old]}).by_measure("M30")
    told = next(n for n in m30.near_miss if n.text.startswith("第1名"))
    assert not told.actionable and not told.changes and "年龄" in told.text and "不能通过调整满足" in told.text
    old_firm = result_of({**SMALL_MAKER, "founded_on": "2015-01-01", "hires": [HIRE]}).by_measure("M31")
    assert [n.actionable for n in old_firm.near_miss] == [False] and "成立日期" in old_firm.near_miss[0].text


def test_nothing_is_said_while_an_enterprise_condition_is_unknown_or_for_shares_and_services() -> None:
    unknown_size = result_of({"hires": []})
    assert unknown_size.by_measure("M30").near_miss == []
    contract = {"amount_yuan": 10_000, "prepayment_arranged": False}
    shared = result_of({**SMALL_MAKER, "procurement_contracts": [contract]})
    assert shared.by_measure("M43").near_miss == [] and shared.by_measure("M27").near_miss == []


def test_near_miss_is_in_the_contract_json() -> None:
    data = result_of({**SMALL_MAKER, "hires": []}).model_dump(mode="json", exclude_none=True)
    m30 = next(r for r in data["results"] if r["measure"] == "M30")
    assert m30["near_miss"][0]["actionable"] is True and m30["near_miss"][0]["yuan"] == 1500
    assert m30["near_miss"][0]["changes"][0]["field"] == "hires[0]"
    assert next(r for r in data["results"] if r["measure"] == "M1")["near_miss"] == []


def _applied(data: dict[str, Any], changes: list[Any]) -> dict[str, Any]:
    for change in changes:
        data = with_answer(data, change.field, change.value)
    return data


def _check_suggestions(data: dict[str, Any], as_of: dt.date) -> None:
    before = result_of(data, as_of)
    for item in before.results:
        for answer in item.near_miss:
            if not answer.actionable:
                assert not answer.changes
                continue
            after = result_of(_applied(data, answer.changes), as_of).by_measure(item.measure)
            assert after.status == "eligible", (item.measure, answer.text)
            if answer.yuan is not None:
                was = item.amount.yuan if item.status == "eligible" else Decimal(0)
                assert after.amount.yuan - was == answer.yuan, (item.measure, answer.text)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=profiles, as_of=st.dates(dt.date(2022, 1, 1), dt.date(2028, 12, 31)))
def test_a_suggestion_applied_makes_the_measure_eligible(data: dict[str, Any], as_of: dt.date) -> None:
    _check_suggestions(parse_profile(data).model_dump(mode="json", exclude_none=True), as_of)


def test_suggestions_hold_on_synthetic_registry_profiles() -> None:
    checked = 0
    for data in synthetic_profiles(150, seed=3):
        try:
            dump = parse_profile(data).model_dump(mode="json", exclude_none=True)
        except ProfileError:
            continue
        _check_suggestions(dump, AS_OF)
        checked += 1
    assert checked > 100
