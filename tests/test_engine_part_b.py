"""Engine mechanics the M26–M50 rules rely on: per-item tiers (a tier's ``when`` naming an
item condition), share lines, unknown dates staying unknown, why-not first, field errors.

The features check the policy's own examples; these tests pin the mechanics, including a
synthetic measure that mixes item-level and enterprise-level tiers.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from api.text_report import render_text
from engine import ProfileError, evaluate, load_rules, parse_profile
from engine.amounts import compute
from engine.rule_models import Amount, Measure
from tests.conftest import AS_OF, ROOT
from tests.contract_shape import contract_problems

SMALL = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35, "revenue_yuan": 12000000}
LARGE = {**SMALL, "employees": 1200, "revenue_yuan": 500000000}


def works(budget: str | None, **extra: object) -> dict:
    project = {"category": "works", "above_procurement_threshold": True, "suitable_for_sme": True, **extra}
    if budget is not None:
        project["budget_yuan"] = budget
    return project


def m42(profile: dict, as_of: dt.date = AS_OF):
    return evaluate(parse_profile(profile), as_of).by_measure("M42")


# --- rule models ------------------------------------------------------------------------

def _measure(**changes: object) -> dict:
    data = yaml.safe_load((ROOT / "rules" / "measures" / "M42.yaml").read_text(encoding="utf-8"))
    data.update(changes)
    return data


def test_a_tier_may_name_an_item_condition() -> None:
    measure = Measure.model_validate(_measure())
    assert [t.when for t in measure.amount.tiers] == ["dedicated", None]
    assert not next(c for c in measure.items.conditions if c.id == "dedicated").gate


def test_a_tier_naming_an_unknown_condition_is_rejected() -> None:
    data = _measure()
    data["amount"] = {**data["amount"], "tiers": [{"when": "nope", "percent": 100}, {"percent": 40}]}
    with pytest.raises(ValidationError, match="nope"):
        Measure.model_validate(data)


def test_a_tier_naming_a_gate_item_condition_is_rejected() -> None:
    data = _measure()
    data["amount"] = {**data["amount"], "tiers": [{"when": "works", "percent": 100}, {"percent": 40}]}
    with pytest.raises(ValidationError, match="works"):
        Measure.model_validate(data)


def test_items_need_at_least_one_gate_condition() -> None:
    data = _measure()
    dedicated = next(c for c in data["items"]["conditions"] if c["id"] == "dedicated")
    data["items"] = {**data["items"], "conditions": [dedicated]}
    with pytest.raises(ValidationError, match="至少要有一个"):
        Measure.model_validate(data)


# --- per-item percent -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("budget", "percent", "share"),
    [
        ("3999999.99", "100", "3999999.99"),
        ("4000000", "100", "4000000"),
        ("4000000.01", "40", "1600000.00"),  # 1,600,000.004 rounds to the fen
        ("10000000.05", "40", "4000000.02"),  # 4,000,000.02 exactly
    ],
)
def test_each_item_gets_its_own_percent(budget: str, percent: str, share: str) -> None:
    result = m42({**SMALL, "procurement_projects": [works(budget)]})
    assert result.status == "eligible"
    (part,) = result.amount.parts
    assert (part.item, part.percent, part.yuan) == (0, Decimal(percent), Decimal(share))
    assert result.amount.percent == Decimal(percent)
    assert result.amount.base_yuan == Decimal(budget)


def test_mixed_percents_list_each_item_and_give_the_overall_share() -> None:
    projects = [works("4000000"), {"category": "goods", "budget_yuan": 1}, works("4000000.01")]
    result = m42({**SMALL, "procurement_projects": projects})
    amount = result.amount
    assert [(p.item, p.percent, p.yuan) for p in amount.parts] == [
        (0, Decimal(100), Decimal("4000000.00")),
        (2, Decimal(40), Decimal("1600000.00")),
    ]
    assert amount.percent == Decimal("70.00")  # 5,600,000 ÷ 8,000,000.01 = 69.9999991%
    assert amount.base_yuan == Decimal("8000000.01")
    assert amount.yuan == Decimal("5600000.00")
    assert "第 1 项" in amount.formula and "第 3 项" in amount.formula and "合计 5,600,000 元" in amount.formula
    # each item's own percent shows in the reasons, against its place in the list
    assert any(r.startswith("procurement_projects[2]：项目预算超过400万元") for r in result.reasons)


def test_an_item_whose_percent_is_unknown_is_set_aside_and_asked_for() -> None:
    result = m42({**SMALL, "procurement_projects": [works("1000000"), works(None)]})
    assert result.status == "eligible"
    assert [p.item for p in result.amount.parts] == [0]
    assert result.amount.yuan == Decimal("1000000.00")
    assert "procurement_projects[1].budget_yuan" in result.missing


def test_no_item_with_a_known_percent_is_undetermined() -> None:
    result = m42({**SMALL, "procurement_projects": [works(None)]})
    assert result.status == "undetermined"
    assert result.amount.kind == "none"
    assert result.missing == ["procurement_projects[0].budget_yuan"]


def test_enterprise_level_tiers_still_give_one_percent_for_all_items() -> None:
    contracts = [{"amount_yuan": 1000000, "prepayment_arranged": True},
                 {"amount_yuan": "500000.50", "prepayment_arranged": True}]
    small = evaluate(parse_profile({**SMALL, "procurement_contracts": contracts}), AS_OF).by_measure("M43")
    large = evaluate(parse_profile({**LARGE, "procurement_contracts": contracts}), AS_OF).by_measure("M43")
    assert (small.amount.percent, small.amount.yuan) == (Decimal(50), Decimal("750000.25"))
    assert (large.amount.percent, large.amount.yuan) == (Decimal(30), Decimal("450000.15"))
    assert small.amount.formula == "合同金额 （1,000,000 + 500,000.50） 元 × 50% = 750,000.25 元"
    assert [p.percent for p in large.amount.parts] == [Decimal(30), Decimal(30)]


@pytest.fixture(scope="module")
def mixed_book(tmp_path_factory: pytest.TempPathFactory):
    """A copy of rules/ whose M42 grades by an item condition, then an enterprise one, then a fallback."""
    root = tmp_path_factory.mktemp("rules")
    shutil.copytree(ROOT / "rules", root, dirs_exist_ok=True)
    path = root / "measures" / "M42.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["conditions"] = [
        {"id": "any_size", "phrase": "企业", "met": "企业类型已知", "failed": "不是企业",
         "test": {"field": "entity_type", "eq": "enterprise"}},
        {"id": "micro", "gate": False, "phrase": "微型企业", "met": "微型企业适用60%", "failed": "不是微型企业",
         "test": {"derived": "size_class", "eq": "micro"}},
    ]
    data["amount"]["tiers"] = [{"when": "dedicated", "percent": 100}, {"when": "micro", "percent": 60},
                               {"percent": 40}]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_rules(root)


@pytest.mark.parametrize(
    ("size", "percents"),
    [
        ({"employees": 10, "revenue_yuan": 2000000}, [Decimal(100), Decimal(60)]),  # micro
        ({"employees": 35, "revenue_yuan": 12000000}, [Decimal(100), Decimal(40)]),  # small
        ({"employees": 1200, "revenue_yuan": 500000000}, [Decimal(100), Decimal(40)]),  # large
    ],
)
def test_item_and_enterprise_tiers_mix(mixed_book, size: dict, percents: list[Decimal]) -> None:
    profile = {**SMALL, **size, "procurement_projects": [works("2000000"), works("5000000")]}
    result = evaluate(parse_profile(profile), AS_OF, book=mixed_book).by_measure("M42")
    assert result.status == "eligible"
    assert [p.percent for p in result.amount.parts] == percents


def test_an_unknown_enterprise_tier_leaves_only_items_decided_before_it(mixed_book) -> None:
    # 35 people, revenue unknown: small or micro cannot be told apart (工业: 营业收入 300 万元)
    profile = {"entity_type": "enterprise", "industry_code": "C3911", "employees": 35,
               "procurement_projects": [works("2000000"), works("5000000")]}
    result = evaluate(parse_profile(profile), AS_OF, book=mixed_book).by_measure("M42")
    # the first item is 100% whatever the size; the second needs the size (revenue unknown)
    assert result.status == "eligible"
    assert [(p.item, p.percent) for p in result.amount.parts] == [(0, Decimal(100))]
    assert "revenue_yuan" in result.missing


# --- amounts ----------------------------------------------------------------------------

def test_share_rounds_each_item_to_the_fen() -> None:
    rule = Amount(kind="share", item_field="budget_yuan", percent=Decimal(40), base_label="项目预算")
    items = [{"budget_yuan": "0.01"}, {"budget_yuan": "0.01"}]
    mixed = compute(rule, items, "个", [Decimal(40), Decimal(100)], [3, 7])
    assert [(p.item, p.yuan) for p in mixed.parts] == [(3, Decimal("0.00")), (7, Decimal("0.01"))]
    assert mixed.yuan == Decimal("0.01")
    assert mixed.percent == Decimal("50.00")  # 0.01 ÷ 0.02
    same = compute(rule, items, "个", [Decimal(40), Decimal(40)], [0, 1])
    assert same.yuan == Decimal("0.01")  # one percent: (0.01 + 0.01) × 40% on the sum
    assert same.formula == "项目预算 （0.01 + 0.01） 元 × 40% = 0.01 元"


# --- unknown dates stay unknown ---------------------------------------------------------

def test_an_unknown_birth_date_leaves_the_age_unknown() -> None:
    hire = {"hired_on": "2025-09-01", "registered_unemployed": True, "contract_months": 12,
            "insurance_months": {"unemployment": 3, "work_injury": 3, "pension": 3}}
    result = evaluate(parse_profile({**SMALL, "hires": [hire]}), AS_OF).by_measure("M30")
    assert result.status == "undetermined"
    assert result.missing == ["hires[0].birth_date"]


def test_an_unknown_start_date_leaves_the_transition_period_unknown() -> None:
    result = evaluate(parse_profile({**SMALL, "uses_existing_land": True}), AS_OF).by_measure("M35")
    assert result.status == "undetermined"
    assert result.missing == ["existing_land_since"]


def test_an_unknown_recognition_date_leaves_the_award_unknown() -> None:
    profile = {**SMALL, "designations": [{"kind": "little_giant"}]}
    result = evaluate(parse_profile(profile), AS_OF).by_measure("M8")
    assert result.status == "undetermined"
    assert "designations[0].recognized_on" in result.missing


# --- faces --------------------------------------------------------------------------------

def test_text_report_shows_a_mixed_share_with_its_label() -> None:
    profile = {**SMALL, "procurement_projects": [works("4000000"), works("4000000.01")]}
    text = render_text(evaluate(parse_profile(profile), AS_OF))
    assert "专门面向中小微企业的份额不低于：第 1 项项目预算 4,000,000 元 × 100%" in text
    assert "预付款不低于" not in text


def test_json_result_with_per_item_shares_passes_the_contract_check(tmp_path: Path) -> None:
    profile = {**SMALL, "procurement_projects": [works("4000000"), works("4000000.01")],
               "procurement_contracts": [{"amount_yuan": 100, "prepayment_arranged": True}]}
    source = tmp_path / "profile.json"
    source.write_text(json.dumps(profile, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "api.cli", "check", str(source), "--as-of", "2026-01-15", "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert contract_problems(json.loads(out)) == []
    m42_json = next(r for r in json.loads(out)["results"] if r["measure"] == "M42")
    assert m42_json["amount"]["parts"] == [
        {"item": 0, "base_yuan": 4000000, "percent": 100, "yuan": 4000000},
        {"item": 1, "base_yuan": 4000000.01, "percent": 40, "yuan": 1600000},
    ]


def test_rules_show_marks_an_item_grading_condition() -> None:
    out = subprocess.run([sys.executable, "-m", "api.cli", "rules", "show", "M42"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "应当专门面向中小微企业采购”（逐项决定档次，不决定是否适用）" in out
    assert "“适宜由中小微企业提供的”：" in out


@pytest.mark.parametrize(
    ("profile", "measure", "first"),
    [
        ({**SMALL, "loans": []}, "M26", "没有符合条件的贷款"),
        ({**LARGE, "loans": [{"kind": "working_capital", "principal_yuan": 1}]}, "M27",
         "企业划型为大型企业，不属于中小微企业"),
        ({**SMALL, "violations": [{"corrected_in_time": False}]}, "M50", "没有符合条件的违法行为"),
    ],
)
def test_an_ineligible_result_says_why_not_first(profile: dict, measure: str, first: str) -> None:
    result = evaluate(parse_profile(profile), AS_OF).by_measure(measure)
    assert result.status == "ineligible"
    assert result.reasons[0] == first


def test_a_negative_amount_is_a_clear_error_naming_the_field() -> None:
    # a money bound is a Decimal in pydantic's error context: it must not crash the message
    with pytest.raises(ProfileError) as caught:
        parse_profile({"revenue_yuan": -5, "procurement_projects": [{"budget_yuan": -1}],
                       "violations": [{"harm": "big"}]})
    messages = {e.field: e.message_zh for e in caught.value.errors}
    assert messages["revenue_yuan"] == "不能小于 0"
    assert messages["procurement_projects[0].budget_yuan"] == "不能小于 0"
    assert "violations[0].harm" in messages
