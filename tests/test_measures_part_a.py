"""Measures M1–M25 (issue 3, part A): the rule files against the seed, and the new profile facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from engine import ProfileError, RuleBook, evaluate, parse_profile
from tests.seed_table import parse_seed

ROOT = Path(__file__).resolve().parents[1]
PART_A = [f"M{n}" for n in range(1, 26)]
INFORMATIONAL = {"M1", "M2", "M6", "M10", "M11", "M12", "M13", "M15", "M22", "M24", "M25"}
SMALL = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35, "revenue_yuan": 12000000}
AS_OF = dt.date(2026, 1, 15)


@pytest.mark.parametrize("measure_id", PART_A)
def test_text_and_units_are_verbatim(book: RuleBook, measure_id: str) -> None:
    seed = {f"M{item.number}": item for item in parse_seed()}[measure_id]
    measure = book.measure(measure_id)
    assert measure.text == seed.text
    assert measure.units_text == seed.units


@pytest.mark.parametrize("measure_id", PART_A)
def test_no_placeholder_left(book: RuleBook, measure_id: str) -> None:
    measure = book.measure(measure_id)
    assert "待编码" not in measure.title + measure.summary
    assert measure.validity.note


def test_informational_ones_are_exactly_the_duties_and_open_facilities(book: RuleBook) -> None:
    assert {m for m in PART_A if book.measure(m).kind == "informational"} == INFORMATIONAL


@pytest.mark.parametrize("measure_id", sorted(set(PART_A) - INFORMATIONAL - {"M8"}))
def test_every_conditional_measure_has_a_feature(measure_id: str) -> None:
    assert list((ROOT / "features").glob(f"{measure_id}-*.feature")), measure_id


def test_quantities_that_bind_are_in_the_rules(book: RuleBook) -> None:
    m3 = book.measure("M3").amount
    assert (m3.kind, m3.annual_rate_percent, m3.max_months, m3.item_field) == (
        "up_to", Decimal(2), 36, "principal_yuan")
    m5 = book.measure("M5").amount
    assert (m5.kind, m5.yuan, m5.per_item, m5.cap_yuan) == ("up_to", Decimal(3000000), True, None)
    m14 = book.measure("M14").amount
    assert (m14.kind, m14.yuan, m14.per_item) == ("up_to", Decimal(300000), True)
    m16 = book.measure("M16").amount
    assert (m16.kind, m16.item_field, m16.cap_yuan) == ("exact", "fees_yuan", None)


def test_interest_subsidy_formula_shows_the_arithmetic() -> None:
    profile = parse_profile({**SMALL, "loans": [
        {"kind": "key_tech_upgrade", "principal_yuan": 10000000, "term_months": 60}]})
    item = evaluate(profile, AS_OF).by_measure("M3")
    assert item.amount.yuan == Decimal(600000)
    assert "36/12" in (item.amount.formula or "")


def test_ineligible_opens_with_the_failing_reason() -> None:
    item = evaluate(parse_profile({**SMALL, "loans": []}), AS_OF).by_measure("M3")
    assert item.status == "ineligible"
    assert item.reasons[0] == "没有符合条件的省重点技改项目固定资产贷款"
    assert "企业划型为中小微企业" in item.reasons[1:]


@pytest.mark.parametrize(("data", "field"), [
    ({"foreign_trade": "也许"}, "foreign_trade"),
    ({"projects": [{"program": "国家重点研发"}]}, "projects[0].program"),
    ({"events": [{"held_on": "2025-13-01"}]}, "events[0].held_on"),
    ({"events": [{"kind": "supply_demand_matchmaking", "guests": 3}]}, "events[0].guests"),
])
def test_new_facts_are_validated(data: dict, field: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(data)
    assert [e.field for e in caught.value.errors] == [field]
