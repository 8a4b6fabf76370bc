"""Fact sources, the form round trip, and the facts a measure relies on (engine.reliance)."""

from __future__ import annotations

import datetime as dt
import json

from api.console.facts import DECLARED, FORM_OWNED, REGISTRY, merged, normalized, relied_declared, sources
from api.form_model import form_values, parse_form
from engine import default_rules, evaluate, parse_profile
from engine.reliance import relied_fields, relied_paths
from tests.console.conftest import ROOT, registry_profile

EXAMPLES = ["small-manufacturer.json", "individual-shop.json", "walk-in-partial.json"]


def test_form_values_are_the_inverse_of_parse_form() -> None:
    for name in EXAMPLES:
        profile = normalized(json.loads((ROOT / "examples" / name).read_text(encoding="utf-8")))
        asked = {k: v for k, v in profile.items() if k in FORM_OWNED}
        parsed = parse_form(form_values(profile))
        assert not parsed.errors
        assert normalized(parsed.profile) == normalized(asked), name


def test_unchanged_facts_are_from_the_registry_changed_or_new_ones_declared() -> None:
    registry = registry_profile()
    answered = parse_form({**form_values(normalized(registry)), "employees": "40", "has.procurement_contracts": "yes",
                           "procurement_contracts[0].amount_yuan": "200"}).profile
    profile = normalized(merged(registry, answered, {"credit_code": registry["credit_code"]}))
    facts = sources(profile, registry)
    assert facts["employees"] == DECLARED and facts["revenue_yuan"] == REGISTRY
    assert facts["hires[1].insurance_months.pension"] == REGISTRY
    assert facts["procurement_contracts[0].amount_yuan"] == DECLARED
    assert "credit_code" not in facts
    assert all(v == DECLARED for v in sources(profile, None).values())  # no registry record: all declared


def test_relied_fields_come_from_the_rule_conditions() -> None:
    book = default_rules()
    m30 = relied_fields("M30", book, "工业")
    assert "hires[*].birth_date" in m30 and "hires[*].insurance_months.pension" in m30
    assert {"industry_code", "employees", "revenue_yuan"} <= set(m30)  # size class: the industry's metrics
    assert "procurement_contracts[*].amount_yuan" not in m30


def test_only_eligible_measures_and_only_declared_facts_are_flagged() -> None:
    book = default_rules()
    registry = registry_profile()
    profile = normalized({**registry, "procurement_contracts": [{"amount_yuan": 2_000_000,
                                                                 "prepayment_arranged": True}]})
    result = evaluate(parse_profile(profile), dt.date(2026, 1, 15))
    flagged = relied_declared(result, profile, sources(profile, registry), book)
    assert set(flagged) == {"M43"}
    assert [f.path for f in flagged["M43"]] == ["procurement_contracts[0].prepayment_arranged",
                                                 "procurement_contracts[0].amount_yuan"]
    assert flagged["M43"][0].label == "第 1 份政府采购合同的合同有预付款安排"
    m30 = result.by_measure("M30")
    assert "hires[1].contract_months" in relied_paths(m30, profile, book, result.derived.industry_group)
