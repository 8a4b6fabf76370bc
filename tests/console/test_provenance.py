"""Registry facts stay 登记库 through the form's 万元 round trip (issue 11, point 5).

The batch stores a registry profile as contract JSON, money as the text the export gave
(``"12000000.00"``); the form shows revenue and assets in 万元 and turns them back into yuan.
A fact the staff did not touch must still read as the registry's, however it is spelt and
whether or not it divides evenly into 万元.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert
from stdnum.cn import uscc

from api.console.facts import REGISTRY, merged, normalized, sources
from api.form_model import form_values, parse_form
from store.db import open_database
from store.models import RegistryEnterprise
from tests.console.conftest import AS_OF, registry_profile
from tests.console.forms import form_fields

MONEY = {"revenue_yuan": "1234567.89", "total_assets_yuan": "12000000.00"}  # as a batch stores them
CODE = "91350206MA31X9QC1" + uscc.calc_check_digit("91350206MA31X9QC1")


def stored_profile() -> dict[str, Any]:
    return {**registry_profile(), **MONEY, "credit_code": CODE, "name": "厦门万元换算测试有限公司"}


@pytest.fixture
def staff_with_odd_money(db_url: str, staff: TestClient) -> TestClient:
    with open_database(db_url).begin() as conn:
        conn.execute(insert(RegistryEnterprise), [{"credit_code": CODE, "name": "厦门万元换算测试有限公司",
                                                   "district": "湖里区", "profile": stored_profile(),
                                                   "source": "enterprises.csv:3", "run_id": "test"}])
    return staff


@pytest.mark.parametrize("money", [MONEY, {"revenue_yuan": 1234567.89, "total_assets_yuan": 12000000},
                                   {"revenue_yuan": "0.01", "total_assets_yuan": "99999.99"}])
def test_an_untouched_round_trip_through_the_form_keeps_every_fact_from_the_registry(money: dict) -> None:
    registry = {**registry_profile(), **money}
    answered = parse_form(form_values(normalized(registry))).profile
    profile = normalized(merged(registry, answered, {"credit_code": registry["credit_code"]}))
    facts = sources(profile, registry)
    assert facts["revenue_yuan"] == REGISTRY and facts["total_assets_yuan"] == REGISTRY
    assert set(facts.values()) == {REGISTRY}


def test_the_form_turns_wan_yuan_back_into_plain_yuan() -> None:
    values = form_values(normalized({"revenue_yuan": "1234567.89", "total_assets_yuan": "12000000.00"}))
    assert values == {"revenue_yuan": "123.456789", "total_assets_yuan": "1200"}
    profile = normalized(parse_form(values).profile)
    assert profile == {"revenue_yuan": "1234567.89", "total_assets_yuan": "12000000"}


def test_pressing_evaluate_on_an_untouched_registry_enterprise_asks_for_no_proof(
        staff_with_odd_money: TestClient) -> None:
    staff = staff_with_odd_money
    form = staff.get(f"/console/form?code={CODE}")
    values, _ = form_fields(form.text, "/console/evaluate")
    assert values["revenue_yuan"] == "123.456789" and values["total_assets_yuan"] == "1200"
    page = staff.post("/console/evaluate", data={**values, "as_of": AS_OF, "label": "", "action": "check"})
    assert page.status_code == 200
    for path in ("revenue_yuan", "total_assets_yuan", "employees", "industry_code"):
        assert re.search(rf'<tr class="registry" data-path="{path}">', page.text), path
    assert '<tr class="declared"' not in page.text
    assert "依赖企业自报信息" not in page.text and 'id="declared-count"' not in page.text
    assert "1,234,567.89 元" in page.text  # shown exactly, in yuan
    saved = staff.post("/console/consultations", data={**form_fields(page.text, "/console/consultations")[0],
                                                       "note": ""})
    advice = staff.get(f"{saved.headers['location']}/advice").text.split('id="advice"')[1]
    assert "企业自报，须核实" not in advice and "登记信息已可确认" in advice
